"""Mechanisms shared by every domain. Nothing here knows a business rule or imports a domain."""
