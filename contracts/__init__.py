"""What crosses a process boundary: request/response schemas, published event bodies, vocabularies.

The gateway and every service import these; they import nothing from a service's domain or
store and no framework (nameko, psycopg, boto3), so each side can be deployed on its own.
"""
