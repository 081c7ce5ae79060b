package fleetlint.required_scans_test

import data.fleetlint.required_scans

origin(repo, file, line) := {"repo": repo, "file": file, "line": line, "column": 1}

job(name, lines, fields) := object.union(
	{
		"name": name, "stage": "test", "services": [], "when": "on_success", "allowFailure": false,
		"needs": [], "extends": [], "runsInMergeRequests": true, "runsOnDefaultBranch": true,
		"origin": origin("svc", ".gitlab-ci.yml", 10), "keyOrigins": {},
		"script": [{"text": line, "section": "script", "origin": origin("svc", ".gitlab-ci.yml", 12)} | some line in lines],
	},
	fields,
)

repo(kinds, jobs) := {
	"id": "svc", "kinds": kinds,
	"ci": {"file": ".gitlab-ci.yml", "stages": ["test"], "stagesDeclared": true, "workflowAllowsMergeRequests": true, "includes": [], "jobs": jobs},
}

# A fleet's requirements by kind, as the homelab preset sets them (the option's default asks only for secrets).
by_kind := {
	"terraform": ["iac"],
	"helm": ["manifests"],
	"k8s-manifests": ["manifests"],
	"docker": ["image"],
	"pipeline": ["secrets"],
}

deny_for(r) := decisions if {
	decisions := required_scans.deny with input as {"repo": r, "options": {"requirements": by_kind}}
}

subjects(r) := {d.subject | some d in deny_for(r)}

secrets_job := job("gitleaks", ["gitleaks detect --source ."], {})

test_every_pipeline_needs_a_secret_scan if {
	subjects(repo(["docs"], [])) == {"missing:secrets"}
	subjects(repo(["docs"], [secrets_job])) == set()
}

test_the_default_requirement_is_a_secret_scan_in_every_pipeline if {
	defaults := {"requirements": {"pipeline": ["secrets"]}}
	{d.subject | some d in required_scans.deny} == {"missing:secrets"} with input as {"repo": repo(["terraform", "helm", "docker"], []), "options": defaults}
	count(required_scans.deny) == 0 with input as {"repo": repo(["terraform", "helm", "docker"], [secrets_job]), "options": defaults}
}

test_terraform_needs_an_iac_scan_recognised_by_command if {
	subjects(repo(["terraform"], [secrets_job])) == {"missing:iac"}
	subjects(repo(["terraform"], [secrets_job, job("whatever-name", ["checkov -d terraform/"], {})])) == set()
	subjects(repo(["terraform"], [secrets_job, job("x", ["trivy config ."], {})])) == set()
}

test_helm_needs_a_manifest_scan if {
	subjects(repo(["helm"], [secrets_job])) == {"missing:manifests"}
	subjects(repo(["helm"], [secrets_job, job("k", ["kubescape scan framework nsa helm/"], {})])) == set()
	subjects(repo(["helm"], [secrets_job, job("c", ["checkov -d . --framework kubernetes"], {})])) == set()
}

test_plain_checkov_is_not_a_manifest_scan if {
	subjects(repo(["helm"], [secrets_job, job("c", ["checkov -d ."], {})])) == {"missing:manifests"}
}

test_docker_needs_an_image_scan if {
	subjects(repo(["docker"], [secrets_job])) == {"missing:image"}
	subjects(repo(["docker"], [secrets_job, job("t", ["trivy image --exit-code 1 $IMAGE"], {})])) == set()
}

test_scan_only_outside_merge_requests_does_not_gate if {
	r := repo(["docs"], [job("gitleaks", ["gitleaks detect"], {"runsInMergeRequests": false})])
	some d in deny_for(r)
	d.subject == "not-gating:secrets"
	contains(d.msg, "excluded from merge-request pipelines")
}

test_manual_scan_does_not_gate if {
	subjects(repo(["docs"], [job("gitleaks", ["gitleaks detect"], {"when": "manual"})])) == {"not-gating:secrets"}
	subjects(repo(["docs"], [job("gitleaks", ["gitleaks detect"], {"ruleWhen": ["manual"]})])) == {"not-gating:secrets"}
}

test_workflow_without_merge_requests_does_not_gate if {
	r := object.union(repo(["docs"], [secrets_job]), {"ci": {"workflowAllowsMergeRequests": false}})
	subjects(r) == {"not-gating:secrets"}
}

test_allow_failure_is_non_blocking_warning if {
	decisions := deny_for(repo(["docs"], [job("gitleaks", ["gitleaks detect"], {"allowFailure": true})]))
	[[d.subject, d.severity] | some d in decisions] == [["non-blocking:secrets", "warning"]]
}

test_exit_code_zero_is_non_blocking if {
	r := repo(["docker"], [secrets_job, job("t", ["trivy image --exit-code 0 app:1"], {})])
	subjects(r) == {"non-blocking:image"}
}

test_soft_fail_is_non_blocking if {
	r := repo(["terraform"], [secrets_job, job("c", ["checkov -d . --soft-fail"], {})])
	subjects(r) == {"non-blocking:iac"}
}

test_one_blocking_gating_job_is_enough if {
	jobs := [
		job("gitleaks-advisory", ["gitleaks detect"], {"allowFailure": true}),
		job("gitleaks", ["gitleaks detect"], {}),
	]
	subjects(repo(["docs"], jobs)) == set()
}

test_deployable_repo_without_pipeline if {
	decisions := required_scans.deny with input as {"repo": {"id": "svc", "kinds": ["helm", "docs"], "ci": null}, "options": {}}
	[d.subject | some d in decisions] == ["no-pipeline"]
}

test_docs_only_repo_without_pipeline_passes if {
	decisions := required_scans.deny with input as {"repo": {"id": "docs", "kinds": ["docs"], "ci": null}, "options": {}}
	count(decisions) == 0
}

test_requirements_are_configurable if {
	decisions := required_scans.deny with input as {"repo": repo(["terraform"], []), "options": {"requirements": {"terraform": []}}}
	count(decisions) == 0
}

# Scanner patterns recognise a command in one script line, as the `scanners` option says: an anchored pattern
# matches any line, and a scanner's name and its subcommand on two lines are no scan.
test_scanner_patterns_match_one_script_line if {
	options := {"scanners": {"secrets": [`^gitleaks detect$`]}}
	anchored := repo(["docs"], [job("s", ["echo scanning", "gitleaks detect"], {})])
	count(required_scans.deny) == 0 with input as {"repo": anchored, "options": options}
	split := repo(["terraform"], [secrets_job, job("t", ["trivy", "config ."], {})])
	subjects(split) == {"missing:iac"}
}
