# METADATA
# title: Pipelines must run the security scans their content requires
# description: >-
#   From a repository's kinds, the scan categories its effective pipeline (after include and extends
#   resolution) must run (option `requirements`): by default every pipeline runs a secret scan; a fleet adds
#   what its kinds need, such as an IaC scan for terraform, a manifest scan for helm and k8s-manifests and an
#   image scan for docker (the homelab preset does). A job scans a category when its resolved script runs one of
#   the category's scanners, whatever the job or template is called; a job of GitLab's own scanner templates and
#   components counts too, known by name. A required category is missing (error), or not checked (note) when an
#   include that could not be read (outside the fleet) may provide it; not gating merge requests (error) when
#   every job that runs it is left out of merge-request pipelines or manual, or not known to gate (note) when
#   that depends on what cannot be known offline; non-blocking (warning) when every gating job may fail without
#   failing the pipeline. A repository with deployable content and no .gitlab-ci.yml is an error.
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
#     - ci.docIndex
#     - ci.jobs.name
#     - ci.jobs.scans.category
#     - ci.jobs.scans.nonFailing
#     - ci.jobs.gatesMergeRequests
#     - ci.unresolvedSources
#     - ci.jobs.allowFailure
#     - ci.jobs.origin
#     - ci.jobs.keyOrigins.allow_failure
#     - ci.jobs.keyOrigins.when
#     - ci.jobs.when
#     - ci.jobs.runsInMergeRequests
#     - ci.stages
#     - ci.workflowAllowsMergeRequests
#     - ci.includes.type
#     - ci.includes.target
#     - ci.includes.resolvedRepo
#     - ci.includes.viaRepo
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
package fleetlint.required_scans

# The categories required per kind: the `requirements` option, whose default is in the options schema above (the
# runner applies it), so that the policy and the audit report's coverage matrix read one table.
requirements := object.get(input.options, "requirements", {})

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

# Jobs that run a scanner of the category: the model's `scans` facts, from its scanner table.
scan_jobs[category] contains job.name if {
	some category, _ in required
	some job in pipeline.jobs
	some scan in job.scans
	scan.category == category
}

job_named(name) := job if {
	some job in pipeline.jobs
	job.name == name
}

# A job blocks the pipeline on a category when it may not fail and one of its scanners of it is not told to pass.
blocks(job, category) if {
	job.allowFailure == false
	some scan in job.scans
	scan.category == category
	not scan.nonFailing
}

# Messages are built with concat, which runs inside WebAssembly (sprintf calls out to JavaScript per finding).
kinds_text(category) := concat(", ", sort([kind | some kind in required[category]]))

# Includes that were not read and may provide a category: `provides` lists what GitLab's own templates and
# components provide; an unknown source (no `provides`) may provide anything.
may_provide[category] contains source.target if {
	some category, _ in required
	some source in pipeline.unresolvedSources
	not source.provides
}

may_provide[category] contains source.target if {
	some category, _ in required
	some source in pipeline.unresolvedSources
	category in source.provides
}

deny contains decision if {
	some category, _ in required
	not scan_jobs[category]
	not may_provide[category]
	decision := {
		"msg": concat("", ["no job runs a ", category, " scan (", scanner_names(category), "); required for ", kinds_text(category)]),
		"repo": input.repo.id,
		"file": pipeline.file,
		"path": ["include"],
		"subject": concat(":", ["missing", category]),
		"data": object.union({"kind": "missing", "category": category, "requiredFor": sort([kind | some kind in required[category]])}, missing_fix(category)),
	}
}

# --- the repair of a missing scan: the fleet's template that provides it ---------------------------------------

# Files of the fleet that other repos include and whose jobs run scanners (the model's `fleet.scanTemplates`).
scan_templates := object.get(input.fleet, "scanTemplates", [])

# Template jobs that would run the category in merge-request pipelines, each as a rank (lowest first): a template
# this repo already includes (then only a job is added), a job that then blocks, a scanner not told to pass, then
# names, for a stable choice. Not how many repos use one: a count changes with any repo, and with it every repo's
# results (the fact is in the fleet settings, which key the incremental cache).
template_offers[category] contains offer if {
	some category, _ in required
	pipeline.workflowAllowsMergeRequests
	some index, template in scan_templates
	template.repo != input.repo.id
	some job in template.jobs
	job.gatesMergeRequests
	some scan in job.scans
	scan.category == category

	# The ranks, then what identifies the job: its name (offer[5]) and its template's index (offer[6]).
	offer := [
		included_rank(template), bool_rank(scan.blocks), bool_rank(not_told_to_pass(scan)),
		template.repo, template.file, job.name, index,
	]
}

included_rank(template) := 0 if includes_template(template)

else := 1

bool_rank(value) := 0 if value

else := 1

not_told_to_pass(scan) := false if scan.toldToPass

else := true

# The repo's own pipeline file includes the template (at whatever ref): a second include would load it twice.
includes_template(template) if {
	some include in pipeline.includes
	not include.viaRepo
	include.type == template.includeType
	object.get(include, "resolvedRepo", "") == template.repo
	same_file(include, template)
}

same_file(include, template) if {
	template.includeType == "project"
	include.target == template.file
}

same_file(include, template) if {
	template.includeType == "component"
	parts := split(template.component, "/")
	contains(include.target, concat("", ["/", parts[count(parts) - 1], "@"]))
}

# The fix, when the best offer can be written: the include (unless there) and, for a hidden job, a job that
# extends it, since a hidden job runs only in a job that extends it and an include alone would add nothing.
missing_fix(category) := {"fix": {
	"description": concat("", [what, ", so that the pipeline runs its ", category, " scan"]),
	"edits": edits,
}} if {
	offer := min(template_offers[category])
	template := scan_templates[offer[6]]
	job := [j | some j in template.jobs; j.name == offer[5]][0]
	job_parts := job_edit(job)
	include_parts := include_edit(template)
	edits := array.concat(include_parts.edits, job_parts.edits)
	count(edits) > 0
	what := concat(" and ", [text | some text in [include_parts.text, job_parts.text]; text != ""])
} else := {}

include_edit(template) := {"edits": [], "text": ""} if includes_template(template)

include_edit(template) := {"edits": [ci_edit("append", ["include"], value)], "text": text} if {
	not includes_template(template)
	template.includeType == "project"
	value := object.union({"project": template.project, "file": template.file}, ref_field(template))
	text := concat("", ["include ", template.file, " of ", template.project, ref_text(template)])
}

# A component needs a version: without a tag or a version its consumers agree on, it is not proposed.
include_edit(template) := {"edits": [ci_edit("append", ["include"], {"component": component})], "text": text} if {
	not includes_template(template)
	template.includeType == "component"
	component := concat("", [template.component, "@", template.ref])
	text := concat("", ["include component ", component, ref_note[template.refSource]])
}

ref_field(template) := {"ref": template.ref} if template.ref

else := {}

ref_text(template) := concat("", [" at ", template.ref, ref_note[template.refSource]]) if template.ref

ref_note := {
	"newest-tag": " (its newest tag)",
	"consumers": " (the ref its includes in the fleet pin; it has no version tag)",
}

ref_text(template) := " at its default branch (it has no version tag, and the fleet's includes of it pin no common ref)" if {
	template.refSource == "default-branch"
}

# A visible job comes with the include; its stage must be one the pipeline has, or the pipeline is invalid.
job_edit(job) := {"edits": [], "text": ""} if {
	not job.hidden
	job.stage in array.concat(pipeline.stages, [".pre", ".post"])
}

# A hidden job: a job named after it (without the dot) extends it, in its own stage when the pipeline has it, else
# in `test` or the pipeline's first stage. A name the pipeline uses already is not proposed.
job_edit(job) := {"edits": [ci_edit("set", [name], {"extends": job.name, "stage": stage_for(job)})], "text": text} if {
	job.hidden
	name := trim_left(job.name, ".")
	name != ""
	not job_named(name)
	text := concat("", ["add job ", name, " extending ", job.name])
}

stage_for(job) := job.stage if job.stage in pipeline.stages

else := "test" if "test" in pipeline.stages

else := [stage | some stage in pipeline.stages; not stage in {".pre", ".post"}][0]

# Into the document that holds the configuration: the second after a `spec:` header.
ci_edit(op, path, value) := {"repo": input.repo.id, "file": pipeline.file, "docIndex": object.get(pipeline, "docIndex", 0), "op": op, "path": path, "value": value}

deny contains decision if {
	some category, _ in required
	not scan_jobs[category]
	sources := may_provide[category]
	decision := {
		"msg": concat("", [
			"not checked: no job of the resolved pipeline runs a ", category, " scan, and includes that fleetlint cannot read may (",
			concat(", ", sort(sources)), "); required for ", kinds_text(category),
		]),
		"repo": input.repo.id,
		"file": pipeline.file,
		"path": ["include"],
		"severity": "note",
		"subject": concat(":", ["not-checked", category]),
		"data": {"kind": "not-checked", "category": category, "sources": sort(sources)},
	}
}

deny contains decision if {
	some category, names in scan_jobs
	every name in names {
		job_named(name).gatesMergeRequests.value == false
	}
	some first in [min(names)]
	job := job_named(first)
	decision := {
		"msg": concat("", [
			"the ", category, " scan (job ", concat(", ", sort(names)), ") does not gate merge requests: it is ",
			not_gating_text[job.gatesMergeRequests.reason], "; required for ", kinds_text(category),
		]),
		"repo": input.repo.id,
		"origin": job.origin,
		"subject": concat(":", ["not-gating", category]),
		"data": object.union({"kind": "not-gating", "category": category, "jobs": sort(names)}, gating_fix(category, names)),
	}
}

# No job of the category certainly gates merge requests, and for some it depends on what is not known offline.
deny contains decision if {
	some category, names in scan_jobs
	every name in names {
		job_named(name).gatesMergeRequests.value != true
	}
	unknown := [name | some name in names; job_named(name).gatesMergeRequests.value == "unknown"]
	count(unknown) > 0
	some first in [min(unknown)]
	job := job_named(first)
	decision := {
		"msg": concat("", [
			"not checked: whether the ", category, " scan (job ", concat(", ", sort(names)), ") gates merge requests depends on ",
			concat(", ", object.get(job.gatesMergeRequests, "unknown", [])), ", which fleetlint cannot know offline; required for ", kinds_text(category),
		]),
		"repo": input.repo.id,
		"origin": job.origin,
		"severity": "note",
		"subject": concat(":", ["gating-unknown", category]),
		"data": {"kind": "gating-unknown", "category": category, "jobs": sort(names)},
	}
}

deny contains decision if {
	some category, names in scan_jobs
	some name in names
	job_named(name).gatesMergeRequests.value == true
	every other in names {
		not blocks(job_named(other), category)
	}
	some first in [min(names)]
	job := job_named(first)
	decision := {
		"msg": concat("", ["the ", category, " scan (job ", concat(", ", sort(names)), ") cannot fail the pipeline: ", why_not_blocking(job)]),
		"repo": input.repo.id,
		"origin": object.get(job.keyOrigins, "allow_failure", job.origin),
		"severity": "warning",
		"subject": concat(":", ["non-blocking", category]),
		"data": object.union({"kind": "non-blocking", "category": category, "jobs": sort(names)}, allow_failure_fix(job, category)),
	}
}

# The minimal repair of `allow_failure: true`: set it false where it is written (the job, or the template it extends,
# so that every job extending it blocks), offered only when the job then blocks: a scanner of the category it runs is
# not told to pass. `false` rather than deleting the key, since a deleted key may inherit `true` from a parent.
allow_failure_fix(job, category) := {"fix": {
	"description": concat("", ["set allow_failure: false on ", where.path[0], " so that its ", category, " scan can fail the pipeline"]),
	"edits": [{"repo": where.repo, "file": where.file, "docIndex": object.get(where, "docIndex", 0), "op": "set", "path": where.path, "value": false}],
}} if {
	job.allowFailure == true
	some scan in job.scans
	scan.category == category
	not scan.nonFailing
	where := job.keyOrigins.allow_failure
	where.path == [where.path[0], "allow_failure"]
} else := {}

# The minimal repair of a manual scan: `when: on_success` (GitLab's default) where `when: manual` is written, the
# job's or the template's it extends. `on_success` rather than deleting the key, which could inherit `manual` from a
# parent. Without `when: manual` the job runs in every pipeline it is meant for, and a job that is not manual may not
# fail unless `allow_failure` says so (a manual one may by default), so it then blocks too. Offered only for a job
# that then gates and blocks: it runs in merge-request pipelines, and its scanner of the category is not told to
# pass. Rules and workflow:rules are not rewritten: which rule was meant is a person's choice; `noFix` says why.
gating_fix(category, names) := {"fix": {
	"description": concat("", ["set when: on_success on ", where.path[0], " so that its ", category, " scan runs in merge-request pipelines"]),
	"edits": [{"repo": where.repo, "file": where.file, "docIndex": object.get(where, "docIndex", 0), "op": "set", "path": where.path, "value": "on_success"}],
}} if {
	fixable := [name | some name in sort(names); manual_fixable(job_named(name), category)]
	count(fixable) > 0
	where := job_named(fixable[0]).keyOrigins.when
} else := {"noFix": no_gating_fix_reason(job_named(min(names)), category)}

manual_fixable(job, category) if {
	job.gatesMergeRequests.reason == "manual"
	job.runsInMergeRequests == true
	where := job.keyOrigins.when
	where.path == [where.path[0], "when"]
	some scan in job.scans
	scan.category == category
	not scan.nonFailing
}

no_gating_fix_reason(job, category) := "its scanner is told to pass (--exit-code 0, --soft-fail or || true): run in merge requests, it still could not block one" if {
	job.gatesMergeRequests.reason == "manual"
	count([scan | some scan in job.scans; scan.category == category; not scan.nonFailing]) == 0
} else := "besides when: manual, its rules leave it out of merge-request pipelines" if {
	job.gatesMergeRequests.reason == "manual"
	job.runsInMergeRequests == false
} else := "which of its rules to change is a choice left to a person" if {
	job.gatesMergeRequests.reason in {"manual-through-rules", "excluded-by-rules"}
} else := "workflow:rules decide for the whole pipeline; they are not rewritten" if {
	job.gatesMergeRequests.reason == "excluded-by-workflow"
} else := "when: manual is not written where it can be changed"

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
		"data": {"kind": "no-pipeline", "kinds": sort([k | some k in input.repo.kinds; k in deployable_kinds])},
	}
}

# The scanners of a category for messages, from the model's table (`fleet.scanners`): "a, b or c".
scanner_names(category) := or_list([s.tool | some s in input.fleet.scanners; s.category == category])

or_list(names) := "no scanner is known for it" if count(names) == 0

or_list(names) := names[0] if count(names) == 1

or_list(names) := concat(" or ", [concat(", ", array.slice(names, 0, count(names) - 1)), names[count(names) - 1]]) if {
	count(names) > 1
}

# Why a job does not gate merge requests, by the model's reason.
not_gating_text := {
	"manual": "manual",
	"manual-through-rules": "manual through its rules",
	"excluded-by-rules": "excluded from merge-request pipelines by its rules",
	"excluded-by-workflow": "in a pipeline whose workflow:rules never run for merge requests",
	"unknown-offline": "not known to run in merge-request pipelines",
}

why_not_blocking(job) := "allow_failure: true" if job.allowFailure == true

why_not_blocking(job) := sprintf("allow_failure on exit codes %s", [concat(", ", [sprintf("%d", [code]) | some code in job.allowFailure])]) if {
	is_array(job.allowFailure)
}

why_not_blocking(job) := "its script tells the scanner not to fail (--exit-code 0, --soft-fail or || true)" if {
	job.allowFailure == false
}
