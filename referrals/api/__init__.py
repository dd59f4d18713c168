"""The referral network's JSON API: the partner banks' bearer API, the public list of banks,
and the referral network's part of the OpenAPI document."""
