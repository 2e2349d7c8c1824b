{{- define "vmdna-workers.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "vmdna-workers.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: vmdna
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "vmdna-workers.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The JDBC URL: the bundled PostgreSQL's service when it is enabled and no URL is given. */}}
{{- define "vmdna-workers.jdbcUrl" -}}
{{- if .Values.store.jdbcUrl -}}
{{- .Values.store.jdbcUrl -}}
{{- else if .Values.postgresql.enabled -}}
{{- printf "jdbc:postgresql://%s-postgresql:5432/%s" .Release.Name .Values.postgresql.database -}}
{{- else -}}
{{- fail "store.jdbcUrl is required when postgresql.enabled is false (the bundled PostgreSQL is off)" -}}
{{- end -}}
{{- end -}}
