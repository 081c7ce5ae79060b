package fleetlint.no_latest_tag_test

import data.fleetlint.no_latest_tag

origin(line) := {"repo": "svc", "file": "helm/values.yaml", "line": line, "column": 3, "docIndex": 0, "path": ["image"]}

image(fields) := object.union(
	{"raw": "x", "registry": "docker.io", "repository": "library/x", "context": "ci-image", "dynamic": false, "job": "build", "origin": origin(4)},
	fields,
)

deny_for(images) := decisions if {
	decisions := no_latest_tag.deny with input as {"repo": {"id": "svc", "images": images, "publishedImages": []}, "options": {}}
}

severities(images) := [d.severity | some d in deny_for(images)]

test_latest_tag_is_an_error if {
	severities([image({"raw": "nginx:latest", "tag": "latest"})]) == ["error"]
}

test_latest_in_any_case_is_an_error if {
	severities([image({"raw": "nginx:LATEST", "tag": "LATEST"})]) == ["error"]
}

test_digest_always_passes if {
	count(deny_for([image({"raw": "nginx:latest@sha256:abc", "tag": "latest", "digest": "sha256:abc"})])) == 0
	count(deny_for([image({"raw": "nginx@sha256:abc", "digest": "sha256:abc"})])) == 0
}

test_untagged_ci_image_pulls_latest if {
	some d in deny_for([image({"raw": "alpine"})])
	d.severity == "error"
	contains(d.msg, "pulls latest")
}

test_untagged_in_every_pulling_context_is_an_error if {
	every context in ["ci-image", "ci-service", "dockerfile-from", "k8s-container", "helm-string"] {
		severities([image({"raw": "alpine", "context": context})]) == ["error"]
	}
}

test_helm_map_without_tag_is_a_note if {
	severities([image({"raw": "bitnami/redis", "context": "helm-map"})]) == ["note"]
}

# An image field outside a container spec (an operator's spec.image): latest is latest, but an untagged one may
# get its tag from the operator.
test_image_field_of_a_custom_resource if {
	some d in deny_for([image({"raw": "alpine:latest", "tag": "latest", "context": "k8s-field"})])
	d.msg == "image uses the latest tag (alpine:latest); pin a version or a digest"
	count(deny_for([image({"raw": "postgres", "context": "k8s-field"})])) == 0
}

test_pinned_version_passes if {
	count(deny_for([image({"raw": "nginx:1.27.0", "tag": "1.27.0"})])) == 0
}

test_registry_port_is_not_a_tag if {
	# The model parses registry:5000/app as registry "registry:5000" with no tag: untagged, so latest.
	some d in deny_for([image({"raw": "registry:5000/app", "registry": "registry:5000", "repository": "app"})])
	contains(d.msg, "no tag")
}

test_dynamic_reference_without_tag_is_not_judged if {
	count(deny_for([image({"raw": "$IMAGE", "dynamic": true})])) == 0
}

test_floating_tags_are_warnings if {
	severities([image({"raw": "node:stable", "tag": "stable"})]) == ["warning"]
}

test_floating_tags_are_configurable if {
	decisions := no_latest_tag.deny with input as {
		"repo": {"id": "svc", "images": [image({"raw": "node:lts", "tag": "lts"})], "publishedImages": []},
		"options": {"floatingTags": ["lts"]},
	}
	[d.severity | some d in decisions] == ["warning"]
}

test_tag_origin_is_used_for_helm_maps if {
	tag_origin := object.union(origin(9), {"path": ["image", "tag"]})
	some d in deny_for([image({"raw": "jellyfin/jellyfin:latest", "tag": "latest", "context": "helm-map", "tagOrigin": tag_origin})])
	d.origin.line == 9
}

test_publishing_latest_is_a_warning if {
	decisions := no_latest_tag.deny with input as {
		"repo": {"id": "svc", "images": [], "publishedImages": [{
			"raw": "harbor.homelab.local/apps/x:latest", "tag": "latest", "command": "docker push harbor.homelab.local/apps/x:latest",
			"job": "push", "origin": origin(12),
		}]},
		"options": {},
	}
	[d.severity | some d in decisions] == ["warning"]
}
