"""One module per page of the dashboard; ``publish.web.views`` names them for the app."""
