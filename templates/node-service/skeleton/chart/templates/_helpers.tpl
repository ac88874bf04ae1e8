{{/* The service name: the Rollout and Service keep it in every environment. */}}
{{- define "service.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Pod selector: stable across versions. */}}
{{- define "service.selectorLabels" -}}
app.kubernetes.io/name: {{ include "service.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels of every object; backstage.io/kubernetes-id ties them to the catalog entity. */}}
{{- define "service.labels" -}}
{{ include "service.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
backstage.io/kubernetes-id: {{ include "service.name" . }}
{{- end -}}

{{/* "true" when a canary's traffic share is set by a router (Istio, Gateway API). */}}
{{- define "service.trafficRouted" -}}
{{- if eq .Values.rollout.trafficRouting "istio" -}}true{{- end -}}
{{- if eq .Values.rollout.trafficRouting "gatewayApi" -}}true{{- end -}}
{{- end -}}

{{/* "true" when the canary has its own Service <name>-canary: traffic routing or the load test. */}}
{{- define "service.canaryService" -}}
{{- if ne .Values.rollout.strategy "blueGreen" -}}
{{- include "service.trafficRouted" . -}}
{{- if .Values.loadTest.enabled -}}true{{- end -}}
{{- end -}}
{{- end -}}

{{/* "true" when the load test runs as steps before the canary's first traffic. */}}
{{- define "service.loadTestSteps" -}}
{{- if .Values.loadTest.enabled -}}{{- include "service.trafficRouted" . -}}{{- end -}}
{{- end -}}

{{/* "true" when the load test runs beside the background analysis (no traffic routing). */}}
{{- define "service.loadTestBackground" -}}
{{- if .Values.loadTest.enabled -}}{{- if include "service.trafficRouted" . -}}{{- else -}}true{{- end -}}{{- end -}}
{{- end -}}

{{/* "true" when the Secret <name>-secrets comes from a secret operator. */}}
{{- define "service.secrets" -}}
{{- if eq .Values.secrets.provider "externalSecrets" -}}true{{- end -}}
{{- if eq .Values.secrets.provider "sealedSecrets" -}}true{{- end -}}
{{- end -}}
