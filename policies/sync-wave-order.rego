# METADATA
# title: ArgoCD sync waves must deploy dependencies first
# description: >-
#   Over all Applications of the fleet and the dependencies the model inferred (storage classes, ingress
#   classes, issuers, load balancers and their address pools, registries, secret stores, monitoring CRDs,
#   declared depends-on, CRDs and their custom resources, default StorageClasses, namespaces, PriorityClasses):
#   an Application must sync in a strictly later wave than everything it depends on,
#   since ArgoCD applies one wave together. Where the app-of-apps tree is known, the waves compared are those of
#   the two apps' ancestors that are siblings under their lowest common ancestor. Dependency cycles, non-integer
#   waves and the non-existent `spec.syncWaves` field are errors. A wave outside the app's band (option
#   `waveBands`, none by default) is a warning, and so is a StorageClass, ingress class, issuer or MetalLB address
#   pool that no Application of the fleet provides (no wave can order it). Which Application provides what is
#   the `providers` option, with the objects the fleet's Applications deploy. A dependency whose resources skip
#   the dry run (`SkipDryRunOnMissingResource=true`) is not ordered; one on a substituted wave is a note. Two
#   Applications of one ArgoCD instance with one name that one reading applies are a warning (ArgoCD keeps one).
# custom:
#   id: sync-wave-order
#   severity: error
#   help: >-
#     Give the Application a `metadata.annotations."argocd.argoproj.io/sync-wave"` that is a quoted integer
#     greater than the wave of every Application the message names as a dependency (`"3"`, not `3`), or lower
#     the dependency's wave; under an app-of-apps, change the wave of the branch the message names. For a cycle,
#     remove one of the dependencies it lists. For `spec.syncWaves`, move the number to the annotation. For a
#     wave outside its band, move the app into its band or change `waveBands`. For a name nothing provides, fix
#     the name to one the message lists, or add the Application that provides it to the `providers` option.
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
#   options:
#     type: object
#     additionalProperties: false
#     properties:
#       waveBands:
#         description: >-
#           The fleet's deployment order: bands of waves, each for the Applications it names or the repos its
#           globs match. An app's band is the first that names it or matches its repo; a valid wave outside it is
#           a warning. None by default: deployment orders are each fleet's own (the homelab preset has one).
#         type: array
#         default: []
#         items:
#           type: object
#           additionalProperties: false
#           required: [min]
#           properties:
#             apps:
#               description: Application names (metadata.name) that belong in this band.
#               type: array
#               items: {type: string, minLength: 1}
#             repos:
#               description: Repo-id globs (`applications/**`) whose Applications belong in this band.
#               type: array
#               items: {type: string, minLength: 1}
#             min:
#               description: The band's first wave.
#               type: integer
#             max:
#               description: The band's last wave; without it, the band is open upwards.
#               type: integer
#       providers:
#         description: >-
#           Which Application provides each capability an Application can use: the model infers the dependencies
#           this rule orders from it (an app that uses StorageClass longhorn depends on the app named longhorn).
#           A rule naming a value exactly wins over an object the fleet deploys (a StorageClass in an app's
#           manifests names that app), which wins over a wildcard rule; a rule whose app is not in the fleet is
#           ignored. Giving this option replaces the default table, which names each controller by its upstream
#           chart's name.
#         type: array
#         default:
#           - {capability: storageClass, value: longhorn, app: longhorn}
#           - {capability: storageClass, value: longhorn-static, app: longhorn}
#           - {capability: ingressClass, value: traefik, app: traefik}
#           - {capability: certIssuer, value: "*", app: cert-manager}
#           - {capability: loadBalancer, value: "*", app: metallb}
#           - {capability: addressPool, value: "*", app: metallb}
#           - {capability: externalDns, value: "*", app: external-dns}
#           - {capability: externalSecrets, value: "*", app: external-secrets}
#           - {capability: secretsBackend, value: vault, app: vault}
#           - {capability: sealedSecrets, value: "*", app: sealed-secrets}
#           - {capability: monitoringCrds, value: "*", app: kube-prometheus-stack}
#         items: {$ref: "#/definitions/providerRule"}
package fleetlint.sync_wave_order

# The fleet's deployment order (option waveBands): none unless the config gives one.
wave_bands := object.get(input.options, "waveBands", [])

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
	not dependency.skipDryRun
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
		"related": related(dependency),
		"data": {"kind": "order", "from": from, "to": to},
	}
}

# The using lines, then the providing lines (the CRD, StorageClass or Namespace of the other Application).
related(dependency) := array.concat(
	[e.origin | some e in dependency.evidence],
	[e.provider.origin | some e in dependency.evidence; e.provider],
)

# A substituted wave (`"${ARGOCD_ENV_wave}"`) is known only at sync time: the order cannot be checked here.
deny contains decision if {
	some dependency in input.dependencies
	not dependency.skipDryRun
	some side in ["from", "to"]
	ref := dependency.orderedBy[side]
	application(ref).waveUnknown
	decision := {
		"msg": sprintf(
			"%s depends on %s (%s), but the wave of %s is substituted at sync time (%s): check the order where it is set",
			[dependency.from, dependency.to, evidence_text(dependency), ref.name, application(ref).waveAnnotation],
		),
		"repo": dependency.fromRepo,
		"origin": application({"repo": dependency.fromRepo, "name": dependency.from}).waveOrigin,
		"severity": "note",
		"subject": sprintf("unknown-wave:%s->%s:%s", [key(dependency.fromRepo, dependency.from), key(dependency.toRepo, dependency.to), side]),
		"related": related(dependency),
		"data": {"kind": "unknown-wave", "app": ref},
	}
}

# Two Applications of one instance with one namespace and name: ArgoCD keeps one, so the other's waves mean nothing.
deny contains decision if {
	some duplicate in object.get(input, "duplicateApplications", [])
	first := duplicate.apps[0]
	decision := {
		"msg": sprintf(
			"%d Applications named %s in one ArgoCD instance: ArgoCD keeps only one of them (%s)",
			[count(duplicate.apps), duplicate.name, concat(", ", [sprintf("%s:%d", [a.origin.file, a.origin.line]) | some a in duplicate.apps])],
		),
		"repo": first.repo,
		"origin": first.origin,
		"severity": "warning",
		"subject": sprintf("duplicate:%s:%s:%s", [duplicate.instance, object.get(duplicate, "namespace", ""), duplicate.name]),
		"related": [a.origin | some a in array.slice(duplicate.apps, 1, count(duplicate.apps))],
		"data": {"kind": "duplicate", "name": duplicate.name},
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

# Dependency cycles (found by the model, linear in the graph), each reported once, at its first member, with the
# dependencies that close it.
deny contains decision if {
	some i, cycle in input.dependencyCycles
	first := key(cycle[0].repo, cycle[0].name)
	edges := object.get(input, ["dependencyCycleEvidence", i], [])
	decision := {
		"msg": sprintf("dependency cycle between %s: no sync-wave order can satisfy it%s", [concat(", ", [app.name | some app in cycle]), cycle_text(edges)]),
		"repo": cycle[0].repo,
		"origin": apps[first].waveOrigin,
		"related": [e.origin | some e in edges],
		"subject": sprintf("cycle:%s", [concat(",", [key(app.repo, app.name) | some app in cycle])]),
		"data": {"kind": "cycle", "apps": cycle},
	}
}

cycle_text(edges) := "" if count(edges) == 0

cycle_text(edges) := concat("", [": ", concat("; ", [sprintf("%s -> %s (%s at %s:%d)", [e.from, e.to, e.capability, e.origin.file, e.origin.line]) | some e in edges])]) if count(edges) > 0

deny contains decision if {
	some repo in input.repos
	some app in repo.applications
	not app.waveValid
	decision := {
		"msg": invalid_wave_message(app),
		"repo": repo.id,
		"origin": app.waveOrigin,
		"subject": sprintf("invalid-wave:%s", [key(repo.id, app.name)]),
		"data": object.union({"kind": "invalid-wave", "app": {"repo": repo.id, "name": app.name}}, invalid_wave_fix(app)),
	}
}

# A wave written as a YAML number is the same number quoted: fleetlint fix writes it so. A wave that is not an
# integer has no repair a policy can know.
invalid_wave_fix(app) := {"fix": {
	"description": sprintf("quote the sync-wave annotation (\"%s\")", [app.waveAnnotation]),
	"edits": [{
		"repo": app.waveOrigin.repo,
		"file": app.waveOrigin.file,
		"docIndex": object.get(app.waveOrigin, "docIndex", 0),
		"op": "set",
		"path": app.waveOrigin.path,
		"value": app.waveAnnotation,
	}],
}} if {
	app.waveProblem == "not-a-string"
	app.waveOrigin.path
} else := {}

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

# The capability's noun in messages: fleetlint passes the model's capability table
# (src/model/dependencies/capabilities.ts) as data.fleet.capabilityNouns.
capability_noun(capability) := noun if {
	noun := data.fleet.capabilityNouns[capability]
} else := capability

# A named thing no Application provides: the app waits for it in any wave order.
deny contains decision if {
	some reference in input.unprovided
	decision := {
		"msg": sprintf(
			"%s uses %s %s, which no Application of the fleet provides (it provides: %s); it cannot become ready in any wave. Fix the name, or declare its provider in sync-wave-order's providers option",
			[reference.from, capability_noun(reference.capability), reference.value, concat(", ", reference.known)],
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
