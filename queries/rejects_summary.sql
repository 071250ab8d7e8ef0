-- Why rows were rejected, per file: column, reason, how many rows and the first
-- line numbers. The rejected values are left out on purpose: they may hold
-- personal data.
with reasons as (
    select
        file,
        "column",
        reason,
        count(distinct line) as rows_rejected,
        list(distinct line order by line) as lines
    from rejects
    group by file, "column", reason
),

final as (
    select
        file,
        coalesce("column", '(whole row)') as "column",
        reason,
        rows_rejected,
        array_to_string(lines[1:20], ', ') || case when len(lines) > 20 then ', ...' else '' end as first_lines
    from reasons
)

select * from final order by file, rows_rejected desc, "column", reason
