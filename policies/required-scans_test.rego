package fleetlint.required_scans_test

import data.fleetlint.required_scans

origin(repo, file, line) := {"repo": repo, "file": file, "line": line, "column": 1}

# A scan fact as the model makes it from a script line.
scan(category) := {"category": category, "tool": "t", "evidence": origin("svc", ".gitlab-ci.yml", 12), "nonFailing": false}

soft_scan(category) := object.union(scan(category), {"nonFailing": true})

gating := {"value": true, "reason": "runs-in-merge-requests"}

job(name, scans, fields) := object.union(
	{
		"name": name, "stage": "test", "services": [], "when": "on_success", "allowFailure": false,
		"needs": [], "extends": [], "runsInMergeRequests": true, "runsOnDefaultBranch": true,
		"origin": origin("svc", ".gitlab-ci.yml", 10), "keyOrigins": {}, "script": [],
		"scans": scans, "gatesMergeRequests": gating,
	},
	fields,
)

repo(kinds, jobs) := {
	"id": "svc", "kinds": kinds,
	"ci": {"file": ".gitlab-ci.yml", "stages": ["test"], "stagesDeclared": true, "workflowAllowsMergeRequests": true, "includes": [], "unresolvedSources": [], "jobs": jobs},
}

# A fleet's requirements by kind, as the homelab preset sets them (the option's default asks only for secrets).
requirements := {
	"terraform": ["iac"],
	"helm": ["manifests"],
	"k8s-manifests": ["manifests"],
	"docker": ["image"],
	"pipeline": ["secrets"],
}

# Part of the model's scanner table, for messages.
fleet := {"registries": [], "scanners": [
	{"category": "iac", "tool": "checkov"},
	{"category": "iac", "tool": "tfsec"},
	{"category": "iac", "tool": "trivy config"},
	{"category": "image", "tool": "trivy image"},
	{"category": "secrets", "tool": "gitleaks"},
]}

deny_with(r, options) := decisions if {
	decisions := required_scans.deny with input as {"repo": r, "fleet": fleet, "options": options}
}

deny_for(r) := deny_with(r, {"requirements": requirements})

subjects(r) := {d.subject | some d in deny_for(r)}

secrets_job := job("gitleaks", [scan("secrets")], {})

test_every_pipeline_needs_a_secret_scan if {
	subjects(repo(["docs"], [])) == {"missing:secrets"}
	subjects(repo(["docs"], [secrets_job])) == set()
}

test_decisions_carry_their_data if {
	[d.data | some d in deny_for(repo(["terraform", "helm"], [secrets_job]))] == [
		{"kind": "missing", "category": "iac", "requiredFor": ["terraform"]},
		{"kind": "missing", "category": "manifests", "requiredFor": ["helm"]},
	]
	manual := job("gitleaks", [scan("secrets")], {"gatesMergeRequests": {"value": false, "reason": "manual"}})
	[d.data | some d in deny_for(repo(["docs"], [manual]))] == [{"kind": "not-gating", "category": "secrets", "jobs": ["gitleaks"]}]
	no_pipeline := deny_for({"id": "svc", "kinds": ["helm", "docs"], "ci": null})
	[d.data | some d in no_pipeline] == [{"kind": "no-pipeline", "kinds": ["helm"]}]
}

test_the_default_requirement_is_a_secret_scan_in_every_pipeline if {
	defaults := {"requirements": {"pipeline": ["secrets"]}}
	{d.subject | some d in required_scans.deny} == {"missing:secrets"} with input as {"repo": repo(["terraform", "helm", "docker"], []), "fleet": fleet, "options": defaults}
	count(required_scans.deny) == 0 with input as {"repo": repo(["terraform", "helm", "docker"], [secrets_job]), "fleet": fleet, "options": defaults}
}

test_a_job_scans_what_its_scan_facts_say_whatever_its_name if {
	subjects(repo(["terraform"], [secrets_job])) == {"missing:iac"}
	subjects(repo(["terraform"], [secrets_job, job("whatever-name", [scan("iac")], {})])) == set()
	subjects(repo(["terraform"], [secrets_job, job("iac", [scan("manifests")], {})])) == {"missing:iac"}
}

test_helm_needs_a_manifest_scan_and_docker_an_image_scan if {
	subjects(repo(["helm"], [secrets_job])) == {"missing:manifests"}
	subjects(repo(["helm"], [secrets_job, job("k", [scan("manifests")], {})])) == set()
	subjects(repo(["docker"], [secrets_job])) == {"missing:image"}
	subjects(repo(["docker"], [secrets_job, job("t", [scan("image")], {})])) == set()
}

test_missing_names_the_scanners_of_the_table if {
	some d in deny_for(repo(["terraform"], [secrets_job]))
	d.msg == "no job runs a iac scan (checkov, tfsec or trivy config); required for terraform"
	some i in deny_for(repo(["docker"], [secrets_job]))
	i.msg == "no job runs a image scan (trivy image); required for docker"
	some m in deny_with(repo(["docs"], [secrets_job]), {"requirements": {"pipeline": ["secrets", "sbom"]}})
	m.msg == "no job runs a sbom scan (no scanner is known for it); required for every pipeline"
}

not_gating_message(reason) := d.msg if {
	r := repo(["docs"], [job("gitleaks", [scan("secrets")], {"gatesMergeRequests": {"value": false, "reason": reason}})])
	some d in deny_for(r)
	d.subject == "not-gating:secrets"
}

test_a_scan_that_does_not_gate_says_why if {
	contains(not_gating_message("manual"), "does not gate merge requests: it is manual;")
	contains(not_gating_message("manual-through-rules"), "it is manual through its rules;")
	contains(not_gating_message("excluded-by-rules"), "it is excluded from merge-request pipelines by its rules;")
	contains(not_gating_message("excluded-by-workflow"), "it is in a pipeline whose workflow:rules never run for merge requests;")
}

test_allow_failure_is_non_blocking_warning if {
	decisions := deny_for(repo(["docs"], [job("gitleaks", [scan("secrets")], {"allowFailure": true})]))
	[[d.subject, d.severity, d.msg] | some d in decisions] == [[
		"non-blocking:secrets", "warning",
		"the secrets scan (job gitleaks) cannot fail the pipeline: allow_failure: true",
	]]
	codes := deny_for(repo(["docs"], [job("gitleaks", [scan("secrets")], {"allowFailure": [1, 2]})]))
	[d.msg | some d in codes] == ["the secrets scan (job gitleaks) cannot fail the pipeline: allow_failure on exit codes 1, 2"]
}

test_allow_failure_true_is_fixed_where_it_is_written if {
	at := object.union(origin("ci-templates", "templates/scan.yml", 7), {"path": [".scan:gitleaks", "allow_failure"]})
	decisions := deny_for(repo(["docs"], [job("gitleaks", [scan("secrets")], {"allowFailure": true, "keyOrigins": {"allow_failure": at}})]))
	[d.data.fix | some d in decisions] == [{
		"description": "set allow_failure: false on .scan:gitleaks so that its secrets scan can fail the pipeline",
		"edits": [{"repo": "ci-templates", "file": "templates/scan.yml", "docIndex": 0, "op": "set", "path": [".scan:gitleaks", "allow_failure"], "value": false}],
	}]

	# No fix when the scanner is told to pass (false would not make it block), for exit codes, or without a path.
	soft := deny_for(repo(["docs"], [job("gitleaks", [soft_scan("secrets")], {"allowFailure": true, "keyOrigins": {"allow_failure": at}})]))
	codes := deny_for(repo(["docs"], [job("gitleaks", [scan("secrets")], {"allowFailure": [1], "keyOrigins": {"allow_failure": at}})]))
	unplaced := deny_for(repo(["docs"], [job("gitleaks", [scan("secrets")], {"allowFailure": true, "keyOrigins": {"allow_failure": origin("svc", ".gitlab-ci.yml", 3)}})]))
	unfixed := (soft | codes) | unplaced
	count(unfixed) == 3
	[d | some d in unfixed; d.data.fix] == []
}

test_a_scanner_told_not_to_fail_is_non_blocking if {
	decisions := deny_for(repo(["docker"], [secrets_job, job("t", [soft_scan("image")], {})]))
	[[d.subject, d.msg] | some d in decisions] == [[
		"non-blocking:image",
		"the image scan (job t) cannot fail the pipeline: its script tells the scanner not to fail (--exit-code 0, --soft-fail or || true)",
	]]
}

test_a_job_with_a_scanner_that_can_fail_blocks if {
	subjects(repo(["docker"], [secrets_job, job("t", [soft_scan("image"), scan("image")], {})])) == set()

	# A scanner of another category told not to fail does not make this one non-blocking.
	subjects(repo(["docker"], [secrets_job, job("t", [soft_scan("secrets"), scan("image")], {})])) == set()
}

test_one_blocking_gating_job_is_enough if {
	jobs := [
		job("gitleaks-advisory", [scan("secrets")], {"allowFailure": true}),
		job("gitleaks", [scan("secrets")], {}),
	]
	subjects(repo(["docs"], jobs)) == set()
}

test_deployable_repo_without_pipeline if {
	decisions := deny_for({"id": "svc", "kinds": ["helm", "docs"], "ci": null})
	[d.subject | some d in decisions] == ["no-pipeline"]
}

test_docs_only_repo_without_pipeline_passes if {
	count(deny_for({"id": "docs", "kinds": ["docs"], "ci": null})) == 0
}

test_requirements_are_configurable if {
	count(deny_with(repo(["terraform"], []), {"requirements": {"terraform": []}})) == 0
	count(deny_with(repo(["terraform"], []), {})) == 0
}

with_sources(r, sources) := object.union(r, {"ci": object.union(r.ci, {"unresolvedSources": sources})})

test_an_include_outside_the_fleet_makes_a_missing_scan_not_checked if {
	# A project outside the fleet may define anything: no "no job" error, a note naming it.
	unknown_source := {"type": "project", "target": "templates/scan.yml", "origin": origin("svc", ".gitlab-ci.yml", 2)}
	decisions := deny_for(with_sources(repo(["docs"], []), [unknown_source]))
	[[d.subject, d.severity, d.data] | some d in decisions] == [[
		"not-checked:secrets", "note",
		{"kind": "not-checked", "category": "secrets", "sources": ["templates/scan.yml"]},
	]]

	# GitLab's own template or component is known by name: one that provides no secret scan changes nothing.
	fuzzing := {"type": "template", "target": "Security/Coverage-Fuzzing.gitlab-ci.yml", "provides": [], "origin": origin("svc", ".gitlab-ci.yml", 2)}
	subjects(with_sources(repo(["docs"], []), [fuzzing])) == {"missing:secrets"}
	sast := {"type": "component", "target": "gitlab.com/components/sast/sast@3", "provides": ["sast"], "origin": origin("svc", ".gitlab-ci.yml", 2)}
	subjects(with_sources(repo(["docs"], []), [sast])) == {"missing:secrets"}
}

test_a_scan_whose_gating_is_unknown_offline_is_a_note if {
	unknown := {"value": "unknown", "reason": "unknown-offline", "unknown": ["$RUN_SCANS"]}
	decisions := deny_for(repo(["docs"], [job("gitleaks", [scan("secrets")], {"gatesMergeRequests": unknown})]))
	[[d.subject, d.severity, d.msg] | some d in decisions] == [[
		"gating-unknown:secrets", "note",
		"not checked: whether the secrets scan (job gitleaks) gates merge requests depends on $RUN_SCANS, which fleetlint cannot know offline; required for every pipeline",
	]]

	# One job that certainly gates is enough; one that certainly does not, beside an unknown one, is no error.
	subjects(repo(["docs"], [job("a", [scan("secrets")], {"gatesMergeRequests": unknown}), secrets_job])) == set()
	manual := {"value": false, "reason": "manual"}
	subjects(repo(["docs"], [job("a", [scan("secrets")], {"gatesMergeRequests": unknown}), job("b", [scan("secrets")], {"gatesMergeRequests": manual})])) == {"gating-unknown:secrets"}
}
