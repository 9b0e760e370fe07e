from typing import Any

from allauth.account import app_settings as allauth_settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenBlacklistView, TokenObtainPairView, TokenRefreshView

from accounts.api.serializers import (
    ApiKeyCreatedSerializer,
    ApiKeyCreateSerializer,
    ApiKeySerializer,
    EmailTokenObtainPairSerializer,
    MeSerializer,
    SignupResultSerializer,
    SignupSerializer,
)
from accounts.models import ApiKey, User
from accounts.selectors import api_keys_for_user
from accounts.services import api_key_create, api_key_revoke, user_signup, user_update
from accounts.tenancy import OwnedQuerysetMixin


class SignupView(APIView):
    authentication_classes = ()
    permission_classes = (permissions.AllowAny,)

    @extend_schema(request=SignupSerializer, responses={201: SignupResultSerializer}, tags=["auth"])
    def post(self, request: Request) -> Response:
        serializer = SignupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_signup(**serializer.validated_data, request=request._request)
        result = {"id": user.pk, "email": user.email, "email_verification": _email_verification_method()}
        return Response(SignupResultSerializer(result).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["auth"])
class TokenObtainView(TokenObtainPairView):
    serializer_class = EmailTokenObtainPairSerializer


@extend_schema(tags=["auth"])
class TokenRefreshApiView(TokenRefreshView):
    pass


class LogoutView(TokenBlacklistView):
    """Blacklist the refresh token: it can no longer be refreshed or used to log out again."""

    @extend_schema(responses={204: OpenApiResponse(description="Logged out.")}, tags=["auth"])
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        super().post(request, *args, **kwargs)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["me"])
class MeView(generics.RetrieveUpdateAPIView):
    serializer_class = MeSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> User:
        return self.request.user

    def perform_update(self, serializer: MeSerializer) -> None:
        serializer.instance = user_update(
            user=self.request.user, data=serializer.validated_data, request=self.request._request
        )


@extend_schema(tags=["api-keys"])
class ApiKeyListCreateView(OwnedQuerysetMixin, generics.ListAPIView):
    owned_selector = api_keys_for_user
    owned_model = ApiKey
    serializer_class = ApiKeySerializer
    filterset_fields = ["name"]

    @extend_schema(request=ApiKeyCreateSerializer, responses={201: ApiKeyCreatedSerializer})
    def post(self, request: Request) -> Response:
        serializer = ApiKeyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        api_key, raw_key = api_key_create(user=request.user, **serializer.validated_data, request=request._request)
        api_key.key = raw_key
        return Response(ApiKeyCreatedSerializer(api_key).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["api-keys"])
class ApiKeyDetailView(OwnedQuerysetMixin, generics.RetrieveDestroyAPIView):
    owned_selector = api_keys_for_user
    owned_model = ApiKey
    serializer_class = ApiKeySerializer

    @extend_schema(responses={204: OpenApiResponse(description="Revoked.")})
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().delete(request, *args, **kwargs)

    def perform_destroy(self, instance: ApiKey) -> None:
        api_key_revoke(user=self.request.user, api_key=instance, request=self.request._request)


def _email_verification_method() -> str:
    return allauth_settings.EmailVerificationMethod(allauth_settings.EMAIL_VERIFICATION).value
