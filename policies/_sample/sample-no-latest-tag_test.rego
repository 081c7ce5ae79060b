package fleetlint.sample_no_latest_tag_test

import data.fleetlint.sample_no_latest_tag

repo := {"id": "apps/web", "images": [
	{"raw": "nginx", "registry": "docker.io", "origin": {"file": "values.yaml", "path": ["image"]}},
	{"raw": "redis:7.2", "registry": "docker.io", "tag": "7.2", "origin": {"file": "values.yaml", "path": ["redis", "image"]}},
	{"raw": "harbor.homelab.local/x/y", "registry": "harbor.homelab.local", "origin": {"file": "ci.yml", "path": ["build", "image"]}},
]}

test_untagged_image_is_denied if {
	decisions := sample_no_latest_tag.deny with input as {"repo": repo}
	count(decisions) == 2
	some d in decisions
	d.subject == "nginx"
	d.file == "values.yaml"
}

test_exempt_registry_is_allowed if {
	decisions := sample_no_latest_tag.deny with input as {"repo": repo}
		with data.fleet.config.exemptRegistries as ["harbor.homelab.local"]
	count(decisions) == 1
}
