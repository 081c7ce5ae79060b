# METADATA
# title: ArgoCD sync waves must deploy dependencies first
# description: >-
#   Over all Applications of the fleet and the dependencies the model inferred (storage classes, ingress
#   classes, issuers, load balancers and their address pools, registries, secret stores, monitoring CRDs,
#   declared depends-on): an Application must sync in a strictly later wave than everything it depends on,
#   since ArgoCD applies one wave together. Where the app-of-apps tree is known, the waves compared are those of
#   the two apps' ancestors that are siblings under their lowest common ancestor. Dependency cycles, non-integer
#   waves and the non-existent `spec.syncWaves` field are errors; a wave outside the fleet's wave band is a
#   warning, and so is a StorageClass, ingress class, issuer or MetalLB address pool that no Application of the
#   fleet provides (no wave can order it).
# custom:
#   id: sync-wave-order
#   severity: error
#   help: >-
#     Set `metadata.annotations."argocd.argoproj.io/sync-wave"` to a quoted integer greater than the wave of
#     every dependency, following the fleet's deployment order (wave bands).
#   tags: [argocd, ordering]
#   scope: fleet
#   repoFields:
#     - applications.name
#     - applications.wave
#     - applications.waveAnnotation
#     - applications.waveValid
#     - applications.waveProblem
#     - applications.waveUnknown
#     - applications.duplicateName
#     - applications.waveOrigin
#     - applications.unknownSpecKeys
#     - applications.unknownSpecKeyOrigins
package fleetlint.sync_wave_order

# The fleet's deployment order (the seed's wave table). Config `waveBands` replaces it (data.fleet.waveBands).
default wave_bands := [
	{"apps": ["cilium"], "min": 0, "max": 0},
	{"apps": ["metallb", "cert-manager"], "min": 1, "max": 1},
	{"apps": ["traefik", "external-dns"], "min": 2, "max": 2},
	{"apps": ["longhorn", "minio"], "min": 3, "max": 3},
	{"apps": ["vault", "external-secrets-operator", "sealed-secrets"], "min": 4, "max": 4},
	{"apps": ["harbor", "jfrog-artifactory"], "min": 5, "max": 5},
	{"apps": ["prometheus-stack", "loki-stack"], "min": 6, "max": 6},
	{"apps": ["wazuh", "falco", "tetragon"], "min": 7, "max": 7},
	{"apps": ["kyverno", "opa", "kubescape"], "min": 8, "max": 8},
	{"apps": ["trivy", "crowdsec", "dependency-track"], "min": 9, "max": 9},
	{"repos": ["applications/**"], "min": 10},
]

wave_bands := data.fleet.waveBands

# concat runs inside WebAssembly; sprintf calls out to JavaScript, which counts when called per app.
key(repo, name) := concat("#", [repo, name])

# One object, computed once: a partial object rule would be evaluated again on every lookup. Of several apps of one
# name in a repo (each cluster's tree has its own), the first: the model's facts name that one.
apps := {key(repo.id, app.name): app |
	some repo in input.repos
	some app in repo.applications
	not app.duplicateName
}

# An app, and its wave, by {repo, name}.
application(ref) := apps[key(ref.repo, ref.name)]

wave(ref) := application(ref).wave

label(ref) := sprintf("%s (%s)", [ref.name, ref.repo])

# Evidence for messages: "uses storageClass longhorn at helm/values.yaml:12".
evidence_text(dependency) := concat("; ", [sprintf("%s at %s:%d", [e.description, e.origin.file, e.origin.line]) | some e in dependency.evidence])

# An app syncs in a later wave than each app it depends on. The waves compared are those of the two apps the model
# names in `orderedBy`: their app-of-apps branches under the lowest common ancestor, else the apps themselves. A
# dependency without `orderedBy` (one app deploys the other) is not ordered by waves. A wave that is a substitution
# placeholder (waveUnknown) is not compared.
deny contains decision if {
	some dependency in input.dependencies
	not application(dependency.orderedBy.from).waveUnknown
	not application(dependency.orderedBy.to).waveUnknown
	wave(dependency.orderedBy.from) <= wave(dependency.orderedBy.to)
	from := {"repo": dependency.fromRepo, "name": dependency.from}
	to := {"repo": dependency.toRepo, "name": dependency.to}
	decision := {
		"msg": order_message(dependency, from, to),
		"repo": dependency.fromRepo,
		"origin": application(from).waveOrigin,
		"subject": sprintf("order:%s->%s", [key(from.repo, from.name), key(to.repo, to.name)]),
		"related": [e.origin | some e in dependency.evidence],
		"data": {"kind": "order", "from": from, "to": to},
	}
}

order_message(dependency, from, to) := sprintf(
	"%s syncs in wave %d but depends on %s (wave %d), which must sync first: %s",
	[from.name, wave(from), to.name, wave(to), evidence_text(dependency)],
) if {
	dependency.orderedBy == {"from": from, "to": to}
}

order_message(dependency, from, to) := sprintf(
	"%s depends on %s (%s), but its app-of-apps branch %s (wave %d) does not sync after %s (wave %d)",
	[from.name, to.name, evidence_text(dependency), label(branch.from), wave(branch.from), label(branch.to), wave(branch.to)],
) if {
	branch := dependency.orderedBy
	branch != {"from": from, "to": to}
}

# Dependency cycles (found by the model, linear in the graph), each reported once, at its first member.
deny contains decision if {
	some cycle in input.dependencyCycles
	first := key(cycle[0].repo, cycle[0].name)
	decision := {
		"msg": sprintf("dependency cycle between %s: no sync-wave order can satisfy it", [concat(", ", [app.name | some app in cycle])]),
		"repo": cycle[0].repo,
		"origin": apps[first].waveOrigin,
		"subject": sprintf("cycle:%s", [concat(",", [key(app.repo, app.name) | some app in cycle])]),
		"data": {"kind": "cycle", "apps": cycle},
	}
}

deny contains decision if {
	some repo in input.repos
	some app in repo.applications
	not app.waveValid
	decision := {
		"msg": invalid_wave_message(app),
		"repo": repo.id,
		"origin": app.waveOrigin,
		"subject": sprintf("invalid-wave:%s", [key(repo.id, app.name)]),
		"data": {"kind": "invalid-wave", "app": {"repo": repo.id, "name": app.name}},
	}
}

# The annotation quoted as JSON: the WASM runtime's sprintf has no %q.
invalid_wave_message(app) := sprintf(
	"%s: sync-wave %s is not an integer; ArgoCD treats it as wave 0",
	[app.name, json.marshal(app.waveAnnotation)],
) if app.waveProblem == "not-an-integer"

invalid_wave_message(app) := sprintf(
	"%s: sync-wave %s must be a quoted string (\"%s\"); the Kubernetes API rejects non-string annotations",
	[app.name, app.waveAnnotation, app.waveAnnotation],
) if app.waveProblem == "not-a-string"

deny contains decision if {
	some repo in input.repos
	some app in repo.applications
	some i, unknown in app.unknownSpecKeys
	unknown == "syncWaves"
	decision := {
		"msg": sprintf(
			"%s: spec.syncWaves does not exist in ArgoCD and is ignored, so the app syncs in wave %d; write metadata.annotations.\"argocd.argoproj.io/sync-wave\": \"N\" instead",
			[app.name, app.wave],
		),
		"repo": repo.id,
		"origin": app.unknownSpecKeyOrigins[i],
		"subject": sprintf("spec-sync-waves:%s", [key(repo.id, app.name)]),
		"data": {"kind": "spec-sync-waves", "app": {"repo": repo.id, "name": app.name}},
	}
}

# An app's band: the first in the fleet's deployment order that names it or whose `repos` globs match its repo.
band(repo, app) := [b | some b in wave_bands; band_matches(b, repo, app)][0]

band_matches(b, _, app) if app.name in object.get(b, "apps", [])

band_matches(b, repo, _) if {
	some pattern in object.get(b, "repos", [])
	glob.match(pattern, ["/"], repo.id)
}

outside(b, wave) if wave < b.min

outside(b, wave) if wave > b.max

band_text(b) := sprintf("wave %d", [b.min]) if b.min == object.get(b, "max", null)

band_text(b) := sprintf("waves %d-%d", [b.min, b.max]) if {
	b.max
	b.min != b.max
}

band_text(b) := sprintf("wave %d or later", [b.min]) if not b.max

deny contains decision if {
	some repo in input.repos
	some app in repo.applications
	app.waveValid
	not app.waveUnknown
	b := band(repo, app)
	outside(b, app.wave)
	decision := {
		"msg": sprintf("%s syncs in wave %d, outside its band in the fleet's deployment order (%s)", [app.name, app.wave, band_text(b)]),
		"repo": repo.id,
		"origin": app.waveOrigin,
		"severity": "warning",
		"subject": sprintf("band:%s", [key(repo.id, app.name)]),
		"data": {"kind": "band", "app": {"repo": repo.id, "name": app.name}},
	}
}

capability_labels := {
	"storageClass": "StorageClass",
	"ingressClass": "ingress class",
	"certIssuer": "certificate issuer",
	"addressPool": "MetalLB address pool",
}

# A named thing no Application provides: the app waits for it in any wave order.
deny contains decision if {
	some reference in input.unprovided
	decision := {
		"msg": sprintf(
			"%s uses %s %s, which no Application of the fleet provides (it provides: %s); it cannot become ready in any wave. Fix the name, or declare its provider in the config's providers",
			[reference.from, object.get(capability_labels, reference.capability, reference.capability), reference.value, concat(", ", reference.known)],
		),
		"repo": reference.fromRepo,
		"origin": reference.evidence.origin,
		"severity": "warning",
		"subject": concat(":", ["unprovided", reference.from, reference.capability, reference.value]),
		"data": {
			"kind": "unprovided", "app": {"repo": reference.fromRepo, "name": reference.from},
			"capability": reference.capability, "value": reference.value,
		},
	}
}
