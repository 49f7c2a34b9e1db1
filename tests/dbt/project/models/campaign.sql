-- The retention campaign: customers the churn card puts in its high segment.
select customer_id, score, reason_1
from {{ ref('churn_risk') }}
where segment = 'high'
