# METADATA
# title: Sample — no latest tag
# description: >-
#   A sample policy that exercises the toolchain (build, metadata, WASM host).
#   It is not shipped: folders starting with `_` are left out of the bundle.
# related_resources:
#   - ref: https://example.invalid/fleetlint/rules/sample-no-latest-tag
# custom:
#   id: sample-no-latest-tag
#   severity: warning
#   help: Pin the image to a version tag or a digest.
#   tags: [images, sample]
#   scope: repo
package fleetlint.sample_no_latest_tag

# Fleet-wide data (PolicyHost.setData) is read under data.fleet: registries whose images are exempt.
default exempt_registries := []

exempt_registries := data.fleet.config.exemptRegistries

deny contains decision if {
	some image in input.repo.images
	not image.digest
	object.get(image, "tag", "latest") == "latest"
	not image.registry in exempt_registries
	decision := {
		"msg": sprintf("image %s resolves to the latest tag", [image.raw]),
		"repo": input.repo.id,
		"file": image.origin.file,
		"path": image.origin.path,
		"subject": image.raw,
	}
}
