-- Search index tuning, measured at 100k patients + 100k observations (bench/search-plans.ts):
-- code and value are strongly correlated; without extended statistics a common code (gender=female,
-- Observation code 718-7) is underestimated 100-1000x and gets a bad plan.
CREATE STATISTICS search_index_code_value (dependencies, mcv) ON resource_type, code, value FROM search_index;
-- resource_id in the value index: rows of one value come out in id order and criteria are answered
-- from the index alone.
DROP INDEX search_index_value;
CREATE INDEX search_index_value ON search_index (hospital_id, resource_type, code, value text_pattern_ops, resource_id);
-- code in the per-resource index: a probe reads one parameter's rows, not all ~30 of the resource.
DROP INDEX search_index_resource;
CREATE INDEX search_index_resource ON search_index (hospital_id, resource_type, resource_id, code);
