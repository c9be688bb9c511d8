"""Read queries: each takes the session first and the actor second, scopes in SQL,
and returns a DataFrame or plain values."""
