# METADATA
# title: Pipelines must run the security scans their content requires
# description: >-
#   From a repository's kinds, the scan categories its effective pipeline (after include and extends
#   resolution) must run (option `requirements`): by default every pipeline runs a secret scan; a fleet adds
#   what its kinds need, such as an IaC scan for terraform, a manifest scan for helm and k8s-manifests and an
#   image scan for docker (the homelab preset does). A job scans a category when its resolved script runs one of
#   the category's scanners, whatever the job or template is called. A required category is missing (error),
#   not gating merge requests (error) when every job that runs it is left out of merge-request pipelines or
#   manual, or non-blocking (warning) when every such job may fail without failing the pipeline. A repository
#   with deployable content and no .gitlab-ci.yml is an error.
# custom:
#   id: required-scans
#   severity: error
#   help: >-
#     For a missing scan, add a job (or include your shared template's job) whose script runs one of the scanners
#     the message lists, such as `gitleaks detect --source . --redact` for secrets. For a scan that does not
#     gate merge requests, let the job run in merge-request pipelines: drop `when: manual` and rules that exclude
#     `merge_request_event`, and let workflow:rules run merge-request pipelines. For a non-blocking scan, remove
#     `allow_failure` and flags such as `--exit-code 0`, `--soft-fail` or `|| true`. For a repository without
#     CI, add a .gitlab-ci.yml that runs the scans its kinds require.
#   tags: [security, gitlab-ci]
#   scope: repo
#   repoFields:
#     - kinds
#     - ci.file
#     - ci.workflowAllowsMergeRequests
#     - ci.jobs.name
#     - ci.jobs.script.text
#     - ci.jobs.when
#     - ci.jobs.ruleWhen
#     - ci.jobs.runsInMergeRequests
#     - ci.jobs.allowFailure
#     - ci.jobs.origin
#     - ci.jobs.keyOrigins.allow_failure
#   options:
#     type: object
#     additionalProperties: false
#     properties:
#       requirements:
#         type: object
#         description: >-
#           Scan categories required per repo kind (terraform, ansible, helm, argocd, k8s-manifests, docker,
#           docs); every pipeline also needs the categories under "pipeline". Giving this option replaces the
#           default. The default asks only what any fleet accepts: a secret leak is kind-independent and a secret
#           scanner needs no setup, while which IaC, manifest and image scanners a fleet runs is its own choice.
#         default: {pipeline: [secrets]}
#         additionalProperties: {type: array, items: {type: string}}
#       scanners:
#         type: object
#         description: Per category, regular expressions that recognise a scanner command in a script line.
#         additionalProperties: {type: array, items: {type: string}}
package fleetlint.required_scans

# Option requirements; its default is in the METADATA above, and fleetlint always passes the options.
requirements := object.get(input.options, "requirements", {})

default scanners := {
	"iac": [
		`\bcheckov\b`, `\btfsec\b`, `\bterrascan\b`, `\bkics\b`,
		`\btrivy\s+(config|conf)\b`,
	],
	"manifests": [
		`\bkubescape\b`, `\btrivy\s+(config|conf|k8s|kubernetes)\b`, `\bpolaris\b`,
		`\bkube-score\b`, `\bkube-linter\b`, `\bcheckov\b.*--framework[= ]+\S*(kubernetes|helm)`,
	],
	"image": [`\btrivy\s+(image|i)\b`, `\bgrype\b`, `\bsnyk\s+container\b`],
	"secrets": [`\bgitleaks\b`, `\btrufflehog\b`, `\bdetect-secrets\b`],
}

scanners := input.options.scanners

# Script text that makes a scanner pass whatever it finds.
non_failing_patterns := [`--exit-code[= ]+0\b`, `--soft-fail\b`, `\|\|\s*true\b`, `--exit-zero\b`, `--no-fail\b`]

deployable_kinds := {"terraform", "ansible", "helm", "argocd", "k8s-manifests", "docker"}

pipeline := input.repo.ci

# `ci` is null for a repo without .gitlab-ci.yml, and null is truthy in Rego.
has_pipeline if input.repo.ci != null

# Categories this repo needs, each with the kinds that require it.
required[category] contains kind if {
	has_pipeline
	some kind in input.repo.kinds
	some category in object.get(requirements, kind, [])
}

required[category] contains "every pipeline" if {
	has_pipeline
	some category in object.get(requirements, "pipeline", [])
}

# Jobs with a script line that runs a scanner of the category.
scan_jobs[category] contains job.name if {
	some category, _ in required
	some job in pipeline.jobs
	some line in job.script
	some pattern in object.get(scanners, category, [])
	regex.match(pattern, line.text)
}

job_named(name) := job if {
	some job in pipeline.jobs
	job.name == name
}

gates_merge_requests(job) if {
	pipeline.workflowAllowsMergeRequests
	job.runsInMergeRequests
	job.when != "manual"
	not manual_through_rules(job)
}

manual_through_rules(job) if {
	count(job.ruleWhen) > 0
	every when in job.ruleWhen {
		when in {"manual", "never"}
	}
}

blocks(job) if {
	job.allowFailure == false
	not tells_scanner_not_to_fail(job)
}

tells_scanner_not_to_fail(job) if {
	some line in job.script
	some pattern in non_failing_patterns
	regex.match(pattern, line.text)
}

# Messages are built with concat, which runs inside WebAssembly (sprintf calls out to JavaScript per finding).
kinds_text(category) := concat(", ", sort([kind | some kind in required[category]]))

deny contains decision if {
	some category, _ in required
	not scan_jobs[category]
	decision := {
		"msg": concat("", ["no job runs a ", category, " scan (", scanner_names(category), "); required for ", kinds_text(category)]),
		"repo": input.repo.id,
		"file": pipeline.file,
		"path": ["include"],
		"subject": concat(":", ["missing", category]),
	}
}

deny contains decision if {
	some category, names in scan_jobs
	every name in names {
		not gates_merge_requests(job_named(name))
	}
	some first in [min(names)]
	job := job_named(first)
	decision := {
		"msg": concat("", [
			"the ", category, " scan (job ", concat(", ", sort(names)), ") does not gate merge requests: it is ",
			why_not_gating(job), "; required for ", kinds_text(category),
		]),
		"repo": input.repo.id,
		"origin": job.origin,
		"subject": concat(":", ["not-gating", category]),
	}
}

deny contains decision if {
	some category, names in scan_jobs
	some name in names
	gates_merge_requests(job_named(name))
	every other in names {
		not blocks(job_named(other))
	}
	some first in [min(names)]
	job := job_named(first)
	decision := {
		"msg": concat("", ["the ", category, " scan (job ", concat(", ", sort(names)), ") cannot fail the pipeline: ", why_not_blocking(job)]),
		"repo": input.repo.id,
		"origin": object.get(job.keyOrigins, "allow_failure", job.origin),
		"severity": "warning",
		"subject": concat(":", ["non-blocking", category]),
	}
}

deny contains decision if {
	not has_pipeline
	some kind in input.repo.kinds
	kind in deployable_kinds
	decision := {
		"msg": sprintf(
			"repository has deployable content (%s) but no .gitlab-ci.yml: nothing scans it before merge",
			[concat(", ", sort([k | some k in input.repo.kinds; k in deployable_kinds]))],
		),
		"repo": input.repo.id,
		"file": "",
		"subject": "no-pipeline",
	}
}

# Scanner names for messages; with custom scanner patterns the patterns themselves are shown.
default_scanner_names := {
	"iac": "checkov, tfsec, terrascan, kics or trivy config",
	"manifests": "kubescape, trivy config, polaris, kube-score, kube-linter or checkov --framework kubernetes/helm",
	"image": "trivy image, grype or snyk container",
	"secrets": "gitleaks, trufflehog or detect-secrets",
}

scanner_names(category) := default_scanner_names[category] if not input.options.scanners

scanner_names(category) := concat(", ", scanners[category]) if input.options.scanners

why_not_gating(job) := "manual" if job.when == "manual"

why_not_gating(job) := "manual through its rules" if {
	job.when != "manual"
	manual_through_rules(job)
}

why_not_gating(job) := "excluded from merge-request pipelines by its rules" if {
	job.when != "manual"
	not manual_through_rules(job)
	pipeline.workflowAllowsMergeRequests
}

why_not_gating(job) := "in a pipeline whose workflow:rules never run for merge requests" if {
	job.when != "manual"
	not manual_through_rules(job)
	not pipeline.workflowAllowsMergeRequests
}

why_not_blocking(job) := "allow_failure: true" if job.allowFailure == true

why_not_blocking(job) := sprintf("allow_failure on exit codes %s", [concat(", ", [sprintf("%d", [code]) | some code in job.allowFailure])]) if {
	is_array(job.allowFailure)
}

why_not_blocking(job) := "its script tells the scanner not to fail (--exit-code 0, --soft-fail or || true)" if {
	job.allowFailure == false
	tells_scanner_not_to_fail(job)
}
