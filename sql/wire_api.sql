-- Operations of the wire API beyond tables and items.
CREATE FUNCTION dynamo.describe_endpoints(json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynamo_describe_endpoints' LANGUAGE C STRICT;
