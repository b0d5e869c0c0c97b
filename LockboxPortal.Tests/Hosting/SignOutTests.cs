using System.Net;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace LockboxPortal.Tests.Hosting;

/// <summary>Sign-out is a POST that needs the page's antiforgery token, so another site cannot sign someone out (and then phish the sign-in).</summary>
public sealed class SignOutTests(DemoPortalFixture portal) : IClassFixture<DemoPortalFixture>
{
    [Fact]
    public async Task SignOut_WithoutTheAntiforgeryToken_IsRefused_AndTheSessionGoesOn()
    {
        using var client = portal.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await SignInTests.PostLoginAsync(client, "engineer@fabrikam.test", PortalFactory.DemoPassword);

        using var forged = await client.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string>()));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/requests/mine")).StatusCode);
    }

    [Fact]
    public async Task SignOut_WithThePagesToken_EndsTheSession()
    {
        using var client = portal.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await SignInTests.PostLoginAsync(client, "engineer2@fabrikam.test", PortalFactory.DemoPassword);

        using var signedOut = await StaticForms.PostAsync(client, "/", "", new Dictionary<string, string>(), action: "/account/logout");
        using var again = await client.GetAsync("/requests/mine");

        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Equal("/account/login", signedOut.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
    }
}
