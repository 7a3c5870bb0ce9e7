-- Queries that read a project's recent or open work went through indexes
-- that lead with the project alone, and so walked everything the project
-- ever had, or (decisions, changes) through none, reading the whole table
-- of every project: a five-year-old office's weekly report took twice as
-- long as a new one's, its daily reminders half as long again (issue 20).
-- Each now reads only the rows it returns.
CREATE INDEX audit_by_time ON audit_log (project_id, at);
CREATE INDEX audit_by_action ON audit_log (project_id, action, id);
CREATE INDEX items_by_status ON action_items (project_id, status, num);
CREATE INDEX risks_by_status ON risks (project_id, status, num);
CREATE INDEX decisions_by_time ON decisions (project_id, created_at);
CREATE INDEX changes_by_time ON changes (project_id, created_at);
