#!version:1.0.0.1
# {{ file_name }}: the files this Yealink phone reads, in this order (a later file wins).
# Rendered by phoneprov.
{% for include in includes %}include:config "{{ include }}"
{% endfor -%}
overwrite_mode = 1
