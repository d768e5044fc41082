"""The compiled read path's SQL side: a selection (db.compiled.plan.Field trees built by
schema.compiled) becomes one statement rendering the JSON answer (db.compiled.roots). How each
type renders is declared once, by domain (council_shapes, petition_shapes, session_shapes,
over the helpers of shapes); connections are db.compiled.connection, JSON text json."""
