package fleetlint.sync_wave_order_test

import data.fleetlint.sync_wave_order

origin(repo, line) := {"repo": repo, "file": "argocd/application.yaml", "line": line, "column": 5, "docIndex": 0, "path": ["metadata"]}

app(name, wave, fields) := object.union(
	{
		"name": name, "sources": [], "destination": {}, "automatedSync": true, "wave": wave, "waveValid": true,
		"declaredDependsOn": [], "unknownSpecKeys": [], "unknownSpecKeyOrigins": [],
		"origin": origin(name, 3), "waveOrigin": origin(name, 6),
	},
	fields,
)

repo(a) := {"id": a.name, "applications": [a]}

dependency(from, to) := {
	"fromRepo": from, "from": from, "toRepo": to, "to": to, "capability": "StorageClass longhorn",
	"evidence": [{"description": "uses storageClass longhorn", "origin": {"repo": from, "file": "helm/values.yaml", "line": 12, "column": 3}}],
}

deny_for(apps, dependencies) := decisions if {
	decisions := sync_wave_order.deny with input as {"repos": [repo(a) | some a in apps], "dependencies": dependencies, "dependencyCycles": []}
		with data.fleet as {"waveBands": []}
}

subjects(apps, dependencies) := {d.subject | some d in deny_for(apps, dependencies)}

test_dependency_in_an_earlier_wave_passes if {
	count(deny_for([app("jellyfin", 10, {}), app("longhorn", 3, {})], [dependency("jellyfin", "longhorn")])) == 0
}

test_equal_waves_are_a_violation if {
	some d in deny_for([app("jellyfin", 3, {}), app("longhorn", 3, {})], [dependency("jellyfin", "longhorn")])
	d.subject == "order:jellyfin#jellyfin->longhorn#longhorn"
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
		with data.fleet as {"waveBands": []}
	cycles := [d | some d in decisions; startswith(d.subject, "cycle:")]
	count(cycles) == 1
	contains(cycles[0].msg, "a, b, c")
	cycles[0].origin.line == 6
}

test_non_integer_wave_is_an_error if {
	some d in deny_for([app("x", 0, {"waveValid": false, "waveProblem": "not-an-integer", "waveAnnotation": "two"})], [])
	contains(d.msg, "not an integer")
}

test_unquoted_wave_is_an_error if {
	some d in deny_for([app("x", 2, {"waveValid": false, "waveProblem": "not-a-string", "waveAnnotation": "2"})], [])
	contains(d.msg, "quoted string")
}

test_spec_sync_waves_is_an_error if {
	some d in deny_for([app("traefik", 0, {"unknownSpecKeys": ["syncWaves"], "unknownSpecKeyOrigins": [origin("traefik", 20)]})], [])
	contains(d.msg, "spec.syncWaves does not exist")
	d.origin.line == 20
}

test_wave_bands_default_table if {
	decisions := sync_wave_order.deny with input as {"repos": [repo(app("traefik", 4, {}))], "dependencies": []}
	some d in decisions
	d.severity == "warning"
	contains(d.msg, "(wave 2)")
}

test_applications_band_is_by_repo_glob if {
	r := {"id": "applications/media/jellyfin", "applications": [app("jellyfin", 5, {})]}
	decisions := sync_wave_order.deny with input as {"repos": [r], "dependencies": []}
	[d.subject | some d in decisions] == ["band:applications/media/jellyfin#jellyfin"]
}

test_app_of_apps_siblings_decide if {
	# media (wave 10) and storage (wave 3) are siblings under root; jellyfin and longhorn sit below them with
	# their own waves, which do not matter across branches.
	root := {"repo": "argocd-apps", "name": "root"}
	media := {"repo": "argocd-apps", "name": "media"}
	storage := {"repo": "argocd-apps", "name": "storage"}
	apps_repo := {"id": "argocd-apps", "applications": [
		app("root", 0, {}),
		app("media", 10, {"ancestors": [root]}),
		app("storage", 3, {"ancestors": [root]}),
	]}
	jellyfin := {"id": "jellyfin", "applications": [app("jellyfin", 0, {"ancestors": [media, root]})]}
	longhorn := {"id": "longhorn", "applications": [app("longhorn", 5, {"ancestors": [storage, root]})]}
	decisions := sync_wave_order.deny with input as {"repos": [apps_repo, jellyfin, longhorn], "dependencies": [dependency("jellyfin", "longhorn")]}
		with data.fleet as {"waveBands": []}
	count(decisions) == 0

	# Swap the branch waves: now the media branch syncs first, and the message names the branches.
	swapped := {"id": "argocd-apps", "applications": [
		app("root", 0, {}),
		app("media", 3, {"ancestors": [root]}),
		app("storage", 10, {"ancestors": [root]}),
	]}
	bad := sync_wave_order.deny with input as {"repos": [swapped, jellyfin, longhorn], "dependencies": [dependency("jellyfin", "longhorn")]}
		with data.fleet as {"waveBands": []}
	some d in bad
	contains(d.msg, "app-of-apps branch media")
}

test_unprovided_reference_is_a_warning_at_its_use if {
	reference := {
		"fromRepo": "immich", "from": "immich", "capability": "storageClass", "value": "longhorn-fast",
		"known": ["longhorn", "longhorn-retain"],
		"evidence": {"description": "storageClass: longhorn-fast", "origin": {"repo": "immich", "file": "helm/values.yaml", "line": 30, "column": 5}},
	}
	decisions := sync_wave_order.deny with input as {"repos": [], "dependencies": [], "dependencyCycles": [], "unprovided": [reference]}
		with data.fleet as {"waveBands": []}
	[[d.severity, d.origin.line] | some d in decisions] == [["warning", 30]]
	some d in decisions
	contains(d.msg, "StorageClass longhorn-fast, which no Application of the fleet provides (it provides: longhorn, longhorn-retain)")
}
