"""Form definitions in the Camunda Forms (form-js) JSON format: checking them at deploy time and
validating submitted data on the server before the engine sees it."""
