"""The compiled read path's SQL side: a selection (db.compiled.plan.Field trees built by
schema.compiled) becomes one statement rendering the JSON answer (db.compiled.roots), each
type's rendering declared once (db.compiled.shapes)."""
