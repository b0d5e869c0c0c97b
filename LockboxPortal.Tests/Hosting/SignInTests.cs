using System.Net;
using LockboxPortal.Features.Audit;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Hosting;

public sealed class SignInTests(DemoPortalFixture portal) : IClassFixture<DemoPortalFixture>
{

    public static TheoryData<string> DemoAccounts()
    {
        var data = new TheoryData<string>();
        foreach (var person in DemoData.People)
        {
            data.Add(person.Email);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DemoAccounts))]
    public async Task DemoAccount_SignsIn_AndReachesTheOverview(string email)
    {
        using var client = NewClient();
        var response = await SignInAsync(client, email);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", PathOf(response));
        var overview = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, overview.StatusCode);
        Assert.Contains("Welcome to LockboxPortal", await overview.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongPassword_IsRefused_AndAudited()
    {
        using var client = NewClient();
        var response = await PostLoginAsync(client, "engineer@fabrikam.test", "not-the-password");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The email or password is not right.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/requests/mine")).StatusCode);
        await using var db = portal.Factory.Services.GetRequiredService<IDbContextFactory<LockboxPortal.Data.LockboxDbContext>>().CreateDbContext();
        Assert.Contains(await db.AuditEntries.ToListAsync(), e => e.EventType == AuditEventType.SignIn_Failed && e.DetailsJson.Contains("engineer@fabrikam.test"));
    }

    [Fact]
    public async Task ReturnUrl_ToAnotherSite_IsIgnored()
    {
        using var client = NewClient();
        var response = await PostLoginAsync(client, "engineer@fabrikam.test", PortalFactory.DemoPassword, "//evil.example/phish");

        Assert.Equal("/", PathOf(response));
    }

    [Fact]
    public async Task ReturnUrl_WithNonAsciiCharacters_SignsIn_AndGoesThere()
    {
        using var client = NewClient();

        var response = await PostLoginAsync(client, "engineer@fabrikam.test", PortalFactory.DemoPassword, "/requests/mine?note=café—ü");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.EndsWith("/requests/mine?note=caf%C3%A9%E2%80%94%C3%BC", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/requests/mine")).StatusCode);
    }

    [Fact]
    public async Task ReturnUrl_WithAControlCharacter_LeadsHome()
    {
        using var client = NewClient();

        var response = await PostLoginAsync(client, "engineer@fabrikam.test", PortalFactory.DemoPassword, "/requests/mine\r\nSet-Cookie: x=y");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", PathOf(response));
    }

    private HttpClient NewClient() => portal.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private static string PathOf(HttpResponseMessage redirect) =>
        new Uri(new Uri("http://localhost/"), redirect.Headers.Location!).AbsolutePath;

    /// <summary>
    /// Signs in completely, as a person with their phone does: the password, then (for an account with two-factor, such
    /// as Contoso's demo people) the authenticator code. Returns the last response (a redirect into the portal).
    /// </summary>
    internal static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string? returnUrl = null)
    {
        var response = await PostLoginAsync(client, email, PortalFactory.DemoPassword, returnUrl);
        if (response.Headers.Location is not { } next || !next.OriginalString.Contains("/account/login-2fa", StringComparison.Ordinal))
        {
            return response;
        }

        return await StaticForms.PostAsync(client, next.OriginalString, "login-2fa", new Dictionary<string, string>
        {
            ["Input.Code"] = Totp.Now(PortalFactory.DemoAuthenticatorKey),
        });
    }

    /// <summary>Signs in the way a browser does: read the form's antiforgery token, then post the form.</summary>
    internal static Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string email, string password, string? returnUrl = null)
    {
        var url = returnUrl is null ? "/account/login" : $"/account/login?returnUrl={Uri.EscapeDataString(returnUrl)}";
        return StaticForms.PostAsync(client, url, "login", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
    }
}

/// <summary>Has its own portal: locking an account out must not disturb the other sign-in tests.</summary>
public sealed class LockoutTests(DemoPortalFixture portal) : IClassFixture<DemoPortalFixture>
{
    [Fact]
    public async Task FiveFailedAttempts_LockTheAccount_EvenForTheRightPassword_AnsweredLikeAWrongPassword()
    {
        using var client = portal.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await SignInTests.PostLoginAsync(client, "approver1@contoso.test", "wrong-password-" + attempt);
        }

        var response = await SignInTests.PostLoginAsync(client, "approver1@contoso.test", PortalFactory.DemoPassword);

        // The same answer an unknown account gets, so the lockout does not tell which emails are real.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The email or password is not right.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/queue/approvals")).StatusCode);
        await using var db = portal.Factory.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<LockboxPortal.Data.LockboxDbContext>>().CreateDbContext();
        Assert.Contains(await db.AuditEntries.ToListAsync(), e => e.EventType == AuditEventType.SignIn_LockedOut && e.DetailsJson.Contains("approver1@contoso.test"));
    }
}
