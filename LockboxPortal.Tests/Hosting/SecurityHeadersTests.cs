using System.Net;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace LockboxPortal.Tests.Hosting;

/// <summary>A page, an API answer (even a refusal), a static file, a missing API path and a sign-in redirect each carry the security headers.</summary>
public sealed class SecurityHeadersTests(DemoPortalFixture portal) : IClassFixture<DemoPortalFixture>
{
    public static TheoryData<string, HttpStatusCode> Answers() => new()
    {
        { "/account/login", HttpStatusCode.OK },
        { "/app.css", HttpStatusCode.OK },
        { "/api/v1/requests", HttpStatusCode.Unauthorized },
        { "/.well-known/jwks.json", HttpStatusCode.OK },
        { "/health", HttpStatusCode.OK },
        { "/api/v1/nothing-here", HttpStatusCode.NotFound },
        { "/no-such-page", HttpStatusCode.Redirect },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task EveryKindOfAnswer_CarriesTheSecurityHeaders(string path, HttpStatusCode status)
    {
        using var client = portal.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await client.GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.Contains("camera=()", Header(response, "Permissions-Policy"), StringComparison.Ordinal);
        Assert.Equal("SAMEORIGIN", Header(response, "X-Frame-Options"));
        Assert.Equal(SecurityHeaders.Values.Count, SecurityHeaders.Values.Keys.Count(k => response.Headers.Contains(k) || response.Content.Headers.Contains(k)));
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(",", values)
            : "";
}
