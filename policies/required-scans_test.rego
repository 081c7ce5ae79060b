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
	[d.data | some d in deny_for(repo(["docs"], [manual]))] == [{"kind": "not-gating", "category": "secrets", "jobs": ["gitleaks"], "noFix": "when: manual is not written where it can be changed"}]
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

# --- fixes: a missing scan gets the fleet template that provides it -------------------------------------------

template_job(name, hidden, stage, category, fields) := object.union(
	{"name": name, "hidden": hidden, "stage": stage, "scans": [{"category": category, "blocks": true, "toldToPass": false}], "gatesMergeRequests": true},
	fields,
)

template(repo_id, file, jobs, fields) := object.union(
	{"repo": repo_id, "project": concat("/", ["fleet", repo_id]), "file": file, "includeType": "project", "ref": "v1.10.0", "refSource": "newest-tag", "jobs": jobs},
	fields,
)

security_template := template(
	"ci", "scan.yml", [
		template_job(".scan:gitleaks", true, "security", "secrets", {}),
		template_job(".scan:trufflehog", true, "security", "secrets", {"scans": [{"category": "secrets", "blocks": false, "toldToPass": false}]}),
		template_job(".scan:aaa-soft", true, "security", "secrets", {"scans": [{"category": "secrets", "blocks": false, "toldToPass": true}]}),
	],
	{},
)

fix_of(r, templates, category) := [d.data.fix |
	some d in required_scans.deny with input as {"repo": r, "fleet": object.union(fleet, {"scanTemplates": templates}), "options": {"requirements": requirements}}
	d.subject == concat(":", ["missing", category])
	d.data.fix
][0]

data_of(r, templates, subject) := [d.data |
	some d in required_scans.deny with input as {"repo": r, "fleet": object.union(fleet, {"scanTemplates": templates}), "options": {"requirements": requirements}}
	d.subject == subject
][0]

with_ci(r, fields) := object.union(r, {"ci": object.union(r.ci, fields)})

with_stages(r, stages) := with_ci(r, {"stages": stages})

with_includes(r, includes) := with_ci(r, {"includes": includes})

test_a_hidden_template_job_is_included_pinned_and_extended_by_a_new_job if {
	r := with_stages(repo(["docs"], []), ["build", "security"])
	fix_of(r, [security_template], "secrets") == {
		"description": "include scan.yml of fleet/ci at v1.10.0 (its newest tag) and add job scan:gitleaks extending .scan:gitleaks, so that the pipeline runs its secrets scan",
		"edits": [
			{"repo": "svc", "file": ".gitlab-ci.yml", "docIndex": 0, "op": "append", "path": ["include"], "value": {"project": "fleet/ci", "file": "scan.yml", "ref": "v1.10.0"}},
			{"repo": "svc", "file": ".gitlab-ci.yml", "docIndex": 0, "op": "set", "path": ["scan:gitleaks"], "value": {"extends": ".scan:gitleaks", "stage": "security"}},
		],
	}
}

test_a_template_already_included_gets_only_the_job_in_a_stage_the_pipeline_has if {
	included := {"type": "project", "target": "scan.yml", "project": "fleet/ci", "ref": "v0.1.0", "resolvedRepo": "ci", "resolved": true}
	r := with_includes(repo(["docs"], []), [included])
	fix_of(r, [security_template], "secrets").edits == [{"repo": "svc", "file": ".gitlab-ci.yml", "docIndex": 0, "op": "set", "path": ["scan:gitleaks"], "value": {"extends": ".scan:gitleaks", "stage": "test"}}]

	# Without `test`, the pipeline's first stage.
	fix_of(with_stages(r, [".pre", "lint", "deploy"]), [security_template], "secrets").edits[0].value.stage == "lint"

	# After a `spec:` header the configuration is the file's second document.
	fix_of(with_ci(r, {"docIndex": 1}), [security_template], "secrets").edits[0].docIndex == 1
}

test_a_visible_template_job_needs_only_the_include_and_a_stage_the_pipeline_has if {
	visible := template("ci", "secrets.yml", [template_job("secrets", false, "test", "secrets", {})], {"refSource": "default-branch", "ref": null})
	visible_no_ref := json.remove(visible, ["ref"])
	fix_of(repo(["docs"], []), [visible_no_ref], "secrets") == {
		"description": "include secrets.yml of fleet/ci at its default branch (it has no version tag, and the fleet's includes of it pin no common ref), so that the pipeline runs its secrets scan",
		"edits": [{"repo": "svc", "file": ".gitlab-ci.yml", "docIndex": 0, "op": "append", "path": ["include"], "value": {"project": "fleet/ci", "file": "secrets.yml"}}],
	}

	# Its stage `test` is not in this pipeline: the include would break it.
	not fix_of(with_stages(repo(["docs"], []), ["build"]), [visible_no_ref], "secrets")
}

test_a_component_is_included_at_its_version if {
	component := template("ci", "templates/secrets.yml", [template_job("secrets", false, "test", "secrets", {})], {"includeType": "component", "component": "$CI_SERVER_FQDN/fleet/ci/secrets"})
	fix_of(repo(["docs"], []), [component], "secrets").edits == [{"repo": "svc", "file": ".gitlab-ci.yml", "docIndex": 0, "op": "append", "path": ["include"], "value": {"component": "$CI_SERVER_FQDN/fleet/ci/secrets@v1.10.0"}}]

	# A component without a version to pin is not proposed.
	not fix_of(repo(["docs"], []), [json.remove(object.union(component, {"refSource": "default-branch"}), ["ref"])], "secrets")
}

test_what_cannot_be_written_is_not_proposed if {
	# The job name is taken, the workflow runs no merge-request pipeline, the template is the repo itself, no job gates.
	not fix_of(repo(["docs"], [job("scan:gitleaks", [], {})]), [template("ci", "scan.yml", [template_job(".scan:gitleaks", true, "test", "secrets", {})], {})], "secrets")
	not fix_of(with_ci(repo(["docs"], []), {"workflowAllowsMergeRequests": false}), [security_template], "secrets")
	not fix_of(repo(["docs"], []), [object.union(security_template, {"repo": "svc"})], "secrets")
	not fix_of(repo(["docs"], []), [template("ci", "scan.yml", [template_job(".scan:gitleaks", true, "test", "secrets", {"gatesMergeRequests": false})], {})], "secrets")

	# No template provides the category.
	not fix_of(repo(["terraform"], [secrets_job]), [security_template], "iac")
}

test_the_choice_prefers_a_blocking_job_then_a_scanner_not_told_to_pass_then_names if {
	fix_of(repo(["docs"], []), [security_template], "secrets").edits[1].value.extends == ".scan:gitleaks"
	no_blocking := template("ci", "scan.yml", [job | some job in security_template.jobs; job.name != ".scan:gitleaks"], {})
	fix_of(repo(["docs"], []), [no_blocking], "secrets").edits[1].value.extends == ".scan:trufflehog"
}

# --- fixes: a scan that does not gate merge requests because it is manual -------------------------------------

manual_job(fields) := job("gitleaks", [scan("secrets")], object.union(
	{
		"when": "manual", "allowFailure": true, "gatesMergeRequests": {"value": false, "reason": "manual"},
		"keyOrigins": {"when": {"repo": "svc", "file": ".gitlab-ci.yml", "line": 14, "column": 3, "path": ["gitleaks", "when"]}},
	},
	fields,
))

test_when_manual_becomes_on_success_where_it_is_written if {
	found := data_of(repo(["docs"], [manual_job({})]), [], "not-gating:secrets")
	json.remove(found, ["fix"]) == {"kind": "not-gating", "category": "secrets", "jobs": ["gitleaks"]}
	fix := found.fix
	fix == {
		"description": "set when: on_success on gitleaks so that its secrets scan runs in merge-request pipelines",
		"edits": [{"repo": "svc", "file": ".gitlab-ci.yml", "docIndex": 0, "op": "set", "path": ["gitleaks", "when"], "value": "on_success"}],
	}
}

test_a_manual_scan_that_would_still_not_gate_or_block_is_not_fixed_and_says_why if {
	soft := manual_job({"scans": [soft_scan("secrets")]})
	data_of(repo(["docs"], [soft]), [], "not-gating:secrets").noFix == "its scanner is told to pass (--exit-code 0, --soft-fail or || true): run in merge requests, it still could not block one"
	excluded := manual_job({"runsInMergeRequests": false})
	data_of(repo(["docs"], [excluded]), [], "not-gating:secrets").noFix == "besides when: manual, its rules leave it out of merge-request pipelines"
	by_rules := job("gitleaks", [scan("secrets")], {"gatesMergeRequests": {"value": false, "reason": "excluded-by-rules"}})
	data_of(repo(["docs"], [by_rules]), [], "not-gating:secrets").noFix == "which of its rules to change is a choice left to a person"
	by_workflow := job("gitleaks", [scan("secrets")], {"gatesMergeRequests": {"value": false, "reason": "excluded-by-workflow"}})
	data_of(repo(["docs"], [by_workflow]), [], "not-gating:secrets").noFix == "workflow:rules decide for the whole pipeline; they are not rewritten"
}
