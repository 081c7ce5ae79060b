# METADATA
# title: Images must not float on latest
# description: >-
#   Every container image reference the model extracted (CI image and services, Dockerfile FROM, Kubernetes
#   containers, Helm values) must be pinned: `latest` (any case) without a digest is an error, and so is a
#   reference with neither tag nor digest where the runtime would pull `latest`. A Helm `repository` map without
#   `tag` is a note (charts fall back to their appVersion). Other floating tags are warnings, and so is a CI
#   script that publishes `:latest`.
# custom:
#   id: no-latest-tag
#   severity: error
#   help: >-
#     Replace `latest` (or the missing tag, or the floating tag) with the version you run now, such as
#     `nginx:1.27.3`, or better its digest (`nginx@sha256:...`, from `docker buildx imagetools inspect nginx:1.27.3`),
#     so that every deployment runs what was reviewed and scanned; let Renovate or Dependabot propose updates. For a
#     Helm chart's `image.repository` without `tag`, set `tag` in the values. A CI job that pushes `:latest`
#     should push a version or commit tag (`$CI_COMMIT_SHORT_SHA`).
#   tags: [images, supply-chain]
#   scope: repo
#   repoFields: [images, publishedImages]
#   options:
#     type: object
#     additionalProperties: false
#     properties:
#       floatingTags:
#         description: >-
#           Tags besides `latest` that move to another image over time (compared case-insensitively); an image on
#           one is a warning. Giving this option replaces the list.
#         type: array
#         items: {type: string}
#         default: [stable, edge, nightly, main, master, dev]
package fleetlint.no_latest_tag

default floating_tags := ["stable", "edge", "nightly", "main", "master", "dev"]

floating_tags := input.options.floatingTags

# Where an untagged reference makes the runtime pull `latest`.
implicit_latest_contexts := {"ci-image", "ci-service", "dockerfile-from", "k8s-container", "helm-string"}

# The tag's own line when it is written apart (a Helm `tag:` key), else the image's.
tag_origin(image) := image.tagOrigin

tag_origin(image) := image.origin if not image.tagOrigin

deny contains decision if {
	some image in input.repo.images
	not image.digest
	lower(image.tag) == "latest"
	decision := finding(
		image, tag_origin(image), "error",
		concat("", [where(image), " uses the latest tag (", image.raw, "); pin a version or a digest"]),
	)
}

deny contains decision if {
	some image in input.repo.images
	untagged(image)
	image.context in implicit_latest_contexts
	decision := finding(
		image, image.origin, "error",
		concat("", [where(image), " has no tag, so ", runtime(image), " pulls latest (", image.raw, "); pin a version or a digest"]),
	)
}

deny contains decision if {
	some image in input.repo.images
	untagged(image)
	image.context == "helm-map"
	decision := finding(
		image, image.origin, "note",
		concat("", [where(image), " sets no tag (", image.raw, "): the chart falls back to its appVersion; pin it to know what runs"]),
	)
}

deny contains decision if {
	some image in input.repo.images
	not image.digest
	lower(image.tag) in {lower(tag) | some tag in floating_tags}
	decision := finding(
		image, tag_origin(image), "warning",
		concat("", [where(image), " uses the floating tag ", image.tag, " (", image.raw, "); pin a version or a digest"]),
	)
}

deny contains decision if {
	some published in input.repo.publishedImages
	lower(published.tag) == "latest"
	decision := {
		"msg": concat("", ["job ", published.job, " publishes ", published.raw, ": consumers of latest cannot tell which build they run; publish a version tag too and deploy that"]),
		"repo": input.repo.id,
		"origin": published.origin,
		"severity": "warning",
		"subject": concat(":", ["publish", published.job, published.raw]),
	}
}

# A reference whose tag is hidden behind an unresolved variable is not judged: it may well be pinned.
untagged(image) if {
	not image.tag
	not image.digest
	not image.dynamic
}

where(image) := concat("", ["CI job ", image.job, " image"]) if image.context == "ci-image"

where(image) := concat("", ["CI job ", image.job, " service"]) if image.context == "ci-service"

where(image) := "Dockerfile FROM" if image.context == "dockerfile-from"

where(image) := "container image" if image.context == "k8s-container"

where(image) := "image" if image.context == "k8s-field"

where(image) := "Helm values image" if image.context in {"helm-map", "helm-string"}

runtime(image) := "the runner" if image.context in {"ci-image", "ci-service"}

runtime(image) := "docker build" if image.context == "dockerfile-from"

runtime(image) := "the kubelet" if image.context in {"k8s-container", "helm-string"}

# Messages are built with concat, which runs inside WebAssembly; sprintf calls out to JavaScript for each
# finding, and a fleet on `latest` has hundreds.

# `origin` locates the decision; when it lies in another repo (a CI template), fleetlint points at the
# include in this repo and names the template's line as related.
finding(image, origin, severity, msg) := {
	"msg": msg,
	"repo": input.repo.id,
	"origin": origin,
	"severity": severity,
	"subject": concat(":", [image.context, object.get(image, "job", ""), image.raw]),
}
