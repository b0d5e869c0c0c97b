using System.Net;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace LockboxPortal.Tests.Hosting;

/// <summary>
/// Finding 8: the Host header was reflected into redirects (<c>AllowedHosts</c> was <c>*</c>), so a forged Host sent
/// the sign-in redirect, and any link built from it, to another site. Only the configured host names are answered.
/// </summary>
public sealed class HostHeaderTests(DemoPortalFixture portal) : IClassFixture<DemoPortalFixture>
{
    [Theory]
    [InlineData("/requests/mine")]
    [InlineData("/no-such-page")]
    [InlineData("/api/v1/requests")]
    public async Task AForeignHost_IsRefused_AndNeverReflectedIntoALocation(string path)
    {
        using var client = portal.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = "evil.example";

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task TheConfiguredHost_IsRedirectedToSignInOnItself()
    {
        using var client = portal.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await client.GetAsync("/requests/mine");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.True(!location.IsAbsoluteUri || location.Host == "localhost", location.ToString());
        Assert.Contains("account/login", location.ToString(), StringComparison.Ordinal);
    }
}
