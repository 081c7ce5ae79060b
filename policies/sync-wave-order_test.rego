package fleetlint.sync_wave_order_test

import data.fleetlint.sync_wave_order

origin(repo, line) := {"repo": repo, "file": "argocd/application.yaml", "line": line, "column": 5, "docIndex": 0, "path": ["metadata"]}

# An Application with the fields the policy declares (custom.repoFields), as the fleet input holds it.
app(name, wave, fields) := object.union(
	{
		"name": name, "wave": wave, "waveValid": true, "unknownSpecKeys": [], "unknownSpecKeyOrigins": [],
		"waveOrigin": origin(name, 6),
	},
	fields,
)

repo(a) := {"id": a.name, "applications": [a]}

# A dependency between apps in repos of their own name, in no app-of-apps tree: their own waves order it.
dependency(from, to) := {
	"fromRepo": from, "from": from, "toRepo": to, "to": to, "capability": "StorageClass longhorn",
	"evidence": [{"description": "uses storageClass longhorn", "origin": {"repo": from, "file": "helm/values.yaml", "line": 12, "column": 3}}],
	"orderedBy": {"from": {"repo": from, "name": from}, "to": {"repo": to, "name": to}},
}

deny_for(apps, dependencies) := decisions if {
	decisions := sync_wave_order.deny with input as {"repos": [repo(a) | some a in apps], "dependencies": dependencies, "dependencyCycles": [], "options": {}}
}

# A deployment order as a fleet configures it (option waveBands): a few of the homelab preset's bands.
bands := [
	{"apps": ["metallb", "cert-manager"], "min": 1, "max": 1},
	{"apps": ["traefik", "external-dns"], "min": 2, "max": 2},
	{"repos": ["applications/**"], "min": 10},
]

subjects(apps, dependencies) := {d.subject | some d in deny_for(apps, dependencies)}

test_dependency_in_an_earlier_wave_passes if {
	count(deny_for([app("jellyfin", 10, {}), app("longhorn", 3, {})], [dependency("jellyfin", "longhorn")])) == 0
}

test_equal_waves_are_a_violation if {
	some d in deny_for([app("jellyfin", 3, {}), app("longhorn", 3, {})], [dependency("jellyfin", "longhorn")])
	d.subject == "order:jellyfin#jellyfin->longhorn#longhorn"
	d.data == {"kind": "order", "from": {"repo": "jellyfin", "name": "jellyfin"}, "to": {"repo": "longhorn", "name": "longhorn"}}
	contains(d.msg, "uses storageClass longhorn at helm/values.yaml:12")
	d.origin.line == 6
}

test_dependency_in_a_later_wave_is_a_violation if {
	subjects([app("minio", 3, {}), app("prometheus-stack", 6, {})], [dependency("minio", "prometheus-stack")]) == {"order:minio#minio->prometheus-stack#prometheus-stack"}
}

test_cycle_is_reported_once if {
	apps := [app("a", 1, {}), app("b", 2, {}), app("c", 3, {})]
	cycle := [{"repo": "a", "name": "a"}, {"repo": "b", "name": "b"}, {"repo": "c", "name": "c"}]
	decisions := sync_wave_order.deny with input as {
		"repos": [repo(a) | some a in apps],
		"dependencies": [dependency("a", "b"), dependency("b", "c"), dependency("c", "a")],
		"dependencyCycles": [cycle],
	}
	cycles := [d | some d in decisions; startswith(d.subject, "cycle:")]
	count(cycles) == 1
	contains(cycles[0].msg, "a, b, c")
	cycles[0].data == {"kind": "cycle", "apps": cycle}
	cycles[0].origin.line == 6
}

test_non_integer_wave_is_an_error if {
	some d in deny_for([app("x", 0, {"waveValid": false, "waveProblem": "not-an-integer", "waveAnnotation": "two"})], [])
	d.msg == "x: sync-wave \"two\" is not an integer; ArgoCD treats it as wave 0"
}

test_unquoted_wave_is_an_error if {
	some d in deny_for([app("x", 2, {"waveValid": false, "waveProblem": "not-a-string", "waveAnnotation": "2"})], [])
	contains(d.msg, "quoted string")
}

# The unquoted wave's repair: the same number, quoted, at the annotation's path (fleetlint fix applies it).
test_unquoted_wave_proposes_the_quoted_number if {
	annotation := ["metadata", "annotations", "argocd.argoproj.io/sync-wave"]
	at := object.union(origin("x", 4), {"path": annotation})
	some d in deny_for([app("x", 2, {"waveValid": false, "waveProblem": "not-a-string", "waveAnnotation": "2", "waveOrigin": at})], [])
	d.data.kind == "invalid-wave"
	d.data.fix.edits == [{"repo": "x", "file": "argocd/application.yaml", "docIndex": 0, "op": "set", "path": annotation, "value": "2"}]
}

# A wave that is no number has no repair a policy could know.
test_non_integer_wave_proposes_no_fix if {
	some d in deny_for([app("x", 0, {"waveValid": false, "waveProblem": "not-an-integer", "waveAnnotation": "two"})], [])
	not d.data.fix
}

# A placeholder wave ("${ARGOCD_ENV_wave}") is substituted before ArgoCD reads it: not invalid, not compared, not
# banded; a dependency on it is a note that says the order cannot be checked.
test_unknown_wave_is_a_note_not_an_order if {
	unknown := {"waveUnknown": true, "waveAnnotation": "${ARGOCD_ENV_wave}"}
	[d.severity | some d in deny_for([app("jellyfin", 0, unknown), app("longhorn", 3, {})], [dependency("jellyfin", "longhorn")])] == ["note"]
	some d in deny_for([app("jellyfin", 10, {}), app("longhorn", 0, unknown)], [dependency("longhorn", "jellyfin")])
	d.data == {"kind": "unknown-wave", "app": {"repo": "longhorn", "name": "longhorn"}}
	contains(d.msg, "${ARGOCD_ENV_wave}")
	decisions := sync_wave_order.deny with input as {"repos": [repo(app("traefik", 0, unknown))], "dependencies": []}
	count(decisions) == 0
}

# One kind of dependency each, as the model names them: all are ordered alike, with their evidence in the message.
test_each_kind_of_dependency_is_ordered if {
	every capability in [
		"CRD of monitoring.coreos.com/ServiceMonitor", "StorageClass longhorn", "the default StorageClass",
		"ingress controller nginx", "certificate issuer letsencrypt", "address pool default", "namespace media",
		"PriorityClass high", "Service policy/policy-webhook", "declared dependency",
	] {
		d := object.union(dependency("jellyfin", "longhorn"), {"capability": capability})
		subjects([app("jellyfin", 1, {}), app("longhorn", 3, {})], [d]) == {"order:jellyfin#jellyfin->longhorn#longhorn"}
	}
}

# The providing line (the CRD, the StorageClass) is related to the finding next to the using line.
test_provider_line_is_related if {
	provider := {"description": "CustomResourceDefinition servicemonitors.monitoring.coreos.com", "origin": {"repo": "longhorn", "file": "crds.yaml", "line": 3, "column": 9}}
	evidence := [object.union(dependency("jellyfin", "longhorn").evidence[0], {"provider": provider})]
	d := object.union(dependency("jellyfin", "longhorn"), {"evidence": evidence})
	some decision in deny_for([app("jellyfin", 1, {}), app("longhorn", 3, {})], [d])
	[o.file | some o in decision.related] == ["helm/values.yaml", "crds.yaml"]
}

# SkipDryRunOnMissingResource=true: ArgoCD applies the custom resource before its CRD and retries; no wave needed.
test_skip_dry_run_is_not_ordered if {
	d := object.union(dependency("jellyfin", "longhorn"), {"skipDryRun": true})
	count(deny_for([app("jellyfin", 1, {}), app("longhorn", 3, {})], [d])) == 0
}

test_empty_fleet_has_no_findings if {
	count(sync_wave_order.deny) == 0 with input as {"repos": [], "dependencies": [], "dependencyCycles": [], "unprovided": [], "options": {}}
	count(sync_wave_order.deny) == 0 with input as {"repos": []}
}

# Duplicate names: one warning per instance key, and the policy does not throw (object insert conflict) on them.
test_duplicate_applications_are_one_warning if {
	first := app("jellyfin", 10, {})
	second := object.union(app("jellyfin", 1, {}), {"duplicateName": true})
	duplicate := {"instance": "", "name": "jellyfin", "apps": [{"repo": "jellyfin", "origin": origin("jellyfin", 1)}, {"repo": "jellyfin", "origin": origin("jellyfin", 30)}]}
	decisions := sync_wave_order.deny with input as {
		"repos": [{"id": "jellyfin", "applications": [first, second, second]}, repo(app("longhorn", 3, {}))],
		"dependencies": [dependency("jellyfin", "longhorn")], "dependencyCycles": [], "duplicateApplications": [duplicate],
	}
	[d.data.kind | some d in decisions] == ["duplicate"]
	some d in decisions
	d.severity == "warning"
	contains(d.msg, "2 Applications named jellyfin")
}

test_cycle_lists_its_evidence if {
	apps := [app("a", 1, {}), app("b", 2, {})]
	cycle := [{"repo": "a", "name": "a"}, {"repo": "b", "name": "b"}]
	edges := [
		{"from": "a", "to": "b", "capability": "namespace b", "origin": {"repo": "a", "file": "x.yaml", "line": 4, "column": 1}},
		{"from": "b", "to": "a", "capability": "CRD of a.io/A", "origin": {"repo": "b", "file": "y.yaml", "line": 7, "column": 1}},
	]
	decisions := sync_wave_order.deny with input as {
		"repos": [repo(a) | some a in apps], "dependencies": [dependency("a", "b"), dependency("b", "a")],
		"dependencyCycles": [cycle], "dependencyCycleEvidence": [edges],
	}
	some d in decisions
	d.data.kind == "cycle"
	contains(d.msg, "a -> b (namespace b at x.yaml:4); b -> a (CRD of a.io/A at y.yaml:7)")
	count(d.related) == 2
}

# Two clusters' trees in one repo, each with its own app of the same name: no conflict, the first one is ordered.
test_apps_of_one_name_in_a_repo if {
	first := app("jellyfin", 10, {})
	second := object.union(app("jellyfin", 1, {}), {"duplicateName": true})
	decisions := sync_wave_order.deny with input as {"repos": [{"id": "jellyfin", "applications": [first, second]}, repo(app("longhorn", 3, {}))], "dependencies": [dependency("jellyfin", "longhorn")], "dependencyCycles": []}
		with data.fleet as {"waveBands": []}
	count(decisions) == 0
}

test_spec_sync_waves_is_an_error if {
	some d in deny_for([app("traefik", 0, {"unknownSpecKeys": ["syncWaves"], "unknownSpecKeyOrigins": [origin("traefik", 20)]})], [])
	contains(d.msg, "spec.syncWaves does not exist")
	d.origin.line == 20
}

test_no_wave_bands_by_default if {
	count(sync_wave_order.deny) == 0 with input as {"repos": [repo(app("traefik", 4, {}))], "dependencies": [], "options": {}}
}

test_wave_outside_its_band_is_a_warning if {
	decisions := sync_wave_order.deny with input as {"repos": [repo(app("traefik", 4, {}))], "dependencies": [], "options": {"waveBands": bands}}
	[d.msg | some d in decisions] == ["traefik syncs in wave 4, outside its band in the fleet's deployment order (wave 2)"]
	some d in decisions
	d.severity == "warning"
}

test_applications_band_is_by_repo_glob if {
	r := {"id": "applications/media/jellyfin", "applications": [app("jellyfin", 5, {})]}
	decisions := sync_wave_order.deny with input as {"repos": [r], "dependencies": [], "options": {"waveBands": bands}}
	[d.subject | some d in decisions] == ["band:applications/media/jellyfin#jellyfin"]
}

test_app_of_apps_siblings_decide if {
	# media (wave 10) and storage (wave 3) are siblings under root; jellyfin and longhorn sit below them with
	# their own waves, which do not matter across branches. The model names the branches in `orderedBy`.
	root := app("root", 0, {})
	jellyfin := app("jellyfin", 0, {})
	longhorn := app("longhorn", 5, {})
	via_branches := object.union(dependency("jellyfin", "longhorn"), {"orderedBy": {
		"from": {"repo": "argocd-apps", "name": "media"},
		"to": {"repo": "argocd-apps", "name": "storage"},
	}})
	apps_repo := {"id": "argocd-apps", "applications": [root, app("media", 10, {}), app("storage", 3, {})]}
	decisions := sync_wave_order.deny with input as {"repos": [apps_repo, repo(jellyfin), repo(longhorn)], "dependencies": [via_branches]}
	count(decisions) == 0

	# Swap the branch waves: now the media branch syncs first, and the message names the branches.
	swapped := {"id": "argocd-apps", "applications": [root, app("media", 3, {}), app("storage", 10, {})]}
	bad := sync_wave_order.deny with input as {"repos": [swapped, repo(jellyfin), repo(longhorn)], "dependencies": [via_branches]}
	[d.subject | some d in bad] == ["order:jellyfin#jellyfin->longhorn#longhorn"]
	some d in bad
	d.msg == "jellyfin depends on longhorn (uses storageClass longhorn at helm/values.yaml:12), but its app-of-apps branch media (argocd-apps) (wave 3) does not sync after storage (argocd-apps) (wave 10)"
	d.origin.line == 6
}

test_an_app_that_deploys_its_dependency_is_not_ordered_by_waves if {
	# The parent deploys the child, whatever their waves: the model gives no `orderedBy`.
	unordered := object.remove(dependency("root", "child"), ["orderedBy"])
	count(deny_for([app("root", 0, {}), app("child", 5, {})], [unordered])) == 0
}

test_band_is_the_first_that_names_the_app_or_matches_its_repo if {
	in_order := [
		{"repos": ["applications/**"], "min": 10},
		{"apps": ["traefik"], "min": 2, "max": 2},
	]
	r := {"id": "applications/ingress/traefik", "applications": [app("traefik", 2, {})]}
	decisions := sync_wave_order.deny with input as {"repos": [r], "dependencies": [], "options": {"waveBands": in_order}}
	[d.msg | some d in decisions] == ["traefik syncs in wave 2, outside its band in the fleet's deployment order (wave 10 or later)"]
}

test_an_app_in_no_band_has_no_band_finding if {
	r := {"id": "platform/tools", "applications": [app("tools", 99, {})]}
	decisions := sync_wave_order.deny with input as {"repos": [r], "dependencies": [], "options": {"waveBands": bands}}
	count(decisions) == 0
}

# data.fleet.capabilityNouns, as fleetlint passes it from the model's capability table.
nouns := {"storageClass": "StorageClass", "addressPool": "MetalLB address pool"}

test_unprovided_reference_is_a_warning_at_its_use if {
	reference := {
		"fromRepo": "immich", "from": "immich", "capability": "storageClass", "value": "longhorn-fast",
		"known": ["longhorn", "longhorn-retain"],
		"evidence": {"description": "storageClass: longhorn-fast", "origin": {"repo": "immich", "file": "helm/values.yaml", "line": 30, "column": 5}},
	}
	decisions := sync_wave_order.deny with input as {"repos": [], "dependencies": [], "dependencyCycles": [], "unprovided": [reference], "options": {}}
		with data.fleet as {"capabilityNouns": nouns}
	[[d.severity, d.origin.line] | some d in decisions] == [["warning", 30]]
	some d in decisions
	contains(d.msg, "StorageClass longhorn-fast, which no Application of the fleet provides (it provides: longhorn, longhorn-retain)")
}

test_unprovided_address_pool_is_named_as_a_metallb_pool if {
	reference := {
		"fromRepo": "pihole", "from": "pihole", "capability": "addressPool", "value": "dns-pool",
		"known": ["default", "dns"],
		"evidence": {"description": "annotation metallb.universe.tf/address-pool: dns-pool", "origin": {"repo": "pihole", "file": "helm/values.yaml", "line": 14, "column": 5}},
	}
	decisions := sync_wave_order.deny with input as {"repos": [], "dependencies": [], "dependencyCycles": [], "unprovided": [reference], "options": {}}
		with data.fleet as {"capabilityNouns": nouns}
	some d in decisions
	contains(d.msg, "pihole uses MetalLB address pool dns-pool, which no Application of the fleet provides (it provides: default, dns)")

	# Without the vocabulary (a custom evaluation), the capability's id stands in.
	bare := sync_wave_order.deny with input as {"repos": [], "dependencies": [], "dependencyCycles": [], "unprovided": [reference], "options": {}}
	some b in bare
	contains(b.msg, "pihole uses addressPool dns-pool")
}
