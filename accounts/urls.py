from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("otp/enrol/", views.otp_enrol, name="otp_enrol"),
    path("otp/enrol/kept/", views.otp_codes_kept, name="otp_codes_kept"),
    path("otp/verify/", views.otp_verify, name="otp_verify"),
    path("password/change/", views.password_change, name="password_change"),
    path("security/", views.security, name="security"),
    path("security/language/", views.language, name="language"),
    path("security/logout-everywhere/", views.logout_everywhere, name="logout_everywhere"),
]
