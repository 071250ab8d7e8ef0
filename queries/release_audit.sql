-- The build's audit of the survey release (pipeline/audit.py): how many groups of each kind were
-- released, and how many each rule suppressed, per wave.
with final as (
    select wave, kind, status, groups from release_audit
)

select * from final order by wave, kind, groups desc, status
