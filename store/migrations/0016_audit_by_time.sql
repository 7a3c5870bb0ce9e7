-- The status report reads a project's audit entries of its period, and
-- the history of every mitigation: through audit_by_ref both walked
-- every entry the project ever had, so a five-year-old project's weekly
-- report took twice as long as a new one's (issue 20). Each now reads
-- only the entries it returns.
CREATE INDEX audit_by_time ON audit_log (project_id, at);
CREATE INDEX audit_by_action ON audit_log (project_id, action, id);
