using System.Net;
using System.Security.Claims;
using System.Text.RegularExpressions;
using LockboxPortal.Data;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Hosting;

/// <summary>
/// Signing in with a password and then an authenticator code or a recovery code, over HTTP with the real forms.
/// Each test enrols a different demo account, so the tests share one portal without disturbing each other.
/// </summary>
public sealed partial class TwoFactorSignInTests(DemoPortalFixture portal) : IClassFixture<DemoPortalFixture>
{
    [Fact]
    public async Task Password_ThenTheAppsCode_SignsIn_AndIsAudited()
    {
        var (key, _) = await EnrolAsync("engineer2@fabrikam.test");
        using var client = NewClient();

        var afterPassword = await SignInTests.PostLoginAsync(client, "engineer2@fabrikam.test", PortalFactory.DemoPassword, "/requests/mine");

        Assert.Equal("/account/login-2fa", PathOf(afterPassword));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/requests/mine")).StatusCode);
        var signedIn = await PostCodeAsync(client, "/account/login-2fa?ReturnUrl=%2Frequests%2Fmine", "login-2fa", "Input.Code", Totp.Now(key));
        Assert.Equal("/requests/mine", PathOf(signedIn));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/requests/mine")).StatusCode);
        Assert.Contains(await AuditAsync(), e => e.EventType == AuditEventType.SignIn_Succeeded && e.DetailsJson.Contains("engineer2@fabrikam.test"));
    }

    [Fact]
    public async Task AWrongCode_IsRefused_Audited_AndStartsNoSession()
    {
        var (key, _) = await EnrolAsync("manager@fabrikam.test");
        using var client = NewClient();
        await SignInTests.PostLoginAsync(client, "manager@fabrikam.test", PortalFactory.DemoPassword);
        var wrong = Totp.Now(key) == "123456" ? "654321" : "123456";

        var response = await PostCodeAsync(client, "/account/login-2fa", "login-2fa", "Input.Code", wrong);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("That code is not right", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/queue/internal")).StatusCode);
        Assert.Contains(await AuditAsync(), e => e.EventType == AuditEventType.SignIn_SecondFactorFailed && e.DetailsJson.Contains("manager@fabrikam.test"));
        Assert.Equal(1, await FailedCountAsync("manager@fabrikam.test"));
    }

    [Fact]
    public async Task ARecoveryCode_SignsInOnce_AndNeverAgain()
    {
        var (_, codes) = await EnrolAsync("officer@northwind.test");
        using var first = NewClient();
        await SignInTests.PostLoginAsync(first, "officer@northwind.test", PortalFactory.DemoPassword);

        var signedIn = await PostCodeAsync(first, "/account/login-recovery", "login-recovery", "Input.Code", codes[3]);

        Assert.Equal("/", PathOf(signedIn));
        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/audit")).StatusCode);
        Assert.Contains(await AuditAsync(), e => e.EventType == AuditEventType.SignIn_RecoveryCodeUsed && e.DetailsJson.Contains("officer@northwind.test"));

        using var second = NewClient();
        await SignInTests.PostLoginAsync(second, "officer@northwind.test", PortalFactory.DemoPassword);
        var again = await PostCodeAsync(second, "/account/login-recovery", "login-recovery", "Input.Code", codes[3]);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("That recovery code is not right", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await second.GetAsync("/audit")).StatusCode);
        Assert.Equal(1, await FailedCountAsync("officer@northwind.test"));
    }

    [Fact]
    public async Task WrongCodes_CountTowardLockout_SoTheRightCodeThenIsRefused()
    {
        var (key, codes) = await EnrolAsync("approver@northwind.test");
        using var client = NewClient();
        await SignInTests.PostLoginAsync(client, "approver@northwind.test", PortalFactory.DemoPassword);
        var wrong = Totp.Now(key) == "000000" ? "111111" : "000000";
        for (var attempt = 0; attempt < 4; attempt++)
        {
            await PostCodeAsync(client, "/account/login-2fa", "login-2fa", "Input.Code", wrong);
        }

        await PostCodeAsync(client, "/account/login-recovery", "login-recovery", "Input.Code", "WRONG-CODE1");
        var response = await PostCodeAsync(client, "/account/login-2fa", "login-2fa", "Input.Code", Totp.Now(key));

        Assert.Equal("/account/lockout", PathOf(response));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/queue/approvals")).StatusCode);
        Assert.Contains(await AuditAsync(), e => e.EventType == AuditEventType.SignIn_LockedOut && e.DetailsJson.Contains("approver@northwind.test"));
        Assert.NotEmpty(codes);
    }

    [Fact]
    public async Task TheTwoFactorPage_ShowsTheKeyAsTextAndAsAQrCode_AndTurnsItOn_ShowingRecoveryCodesOnce()
    {
        using var client = NewClient();
        await SignInTests.PostLoginAsync(client, "admin@fabrikam.test", PortalFactory.DemoPassword);

        var page = await client.GetStringAsync("/account/two-factor");

        var key = WebUtility.HtmlDecode(AuthenticatorKey().Match(page).Groups[1].Value);
        Assert.Matches("^([a-z2-7]{4} )+[a-z2-7]{1,4}$", key);
        Assert.Contains("src=\"data:image/png;base64,", page, StringComparison.Ordinal);
        var enabled = await PostCodeAsync(client, "/account/two-factor", "two-factor-enable", "Input.Code", Totp.Now(key));
        var shown = await enabled.Content.ReadAsStringAsync();
        Assert.Contains("Two-factor sign-in is on.", shown, StringComparison.Ordinal);
        Assert.Equal(10, RecoveryCode().Matches(shown).Count);
        var later = await client.GetStringAsync("/account/two-factor");
        Assert.Empty(RecoveryCode().Matches(later));
        Assert.DoesNotContain(key, later, StringComparison.Ordinal);
        Assert.Contains("Recovery codes left: 10", later, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutTwoFactor_ThePasswordAloneStillSignsIn()
    {
        using var client = NewClient();

        var response = await SignInTests.PostLoginAsync(client, "engineer@fabrikam.test", PortalFactory.DemoPassword);

        Assert.Equal("/", PathOf(response));
    }

    /// <summary>Enrols the person as they would on the two-factor page; returns the key their app holds and the recovery codes.</summary>
    private async Task<(string Key, IReadOnlyList<string> RecoveryCodes)> EnrolAsync(string email)
    {
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LockboxDbContext>();
        var userId = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
        var person = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, userId)], "Test"));
        var service = scope.ServiceProvider.GetRequiredService<TwoFactorService>();
        var key = (await service.AuthenticatorSetupAsync(person)).SharedKey;
        return (key, await service.EnableAsync(person, Totp.Now(key)));
    }

    private async Task<List<AuditEntry>> AuditAsync()
    {
        await using var db = portal.Factory.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContext();
        return await db.AuditEntries.AsNoTracking().ToListAsync();
    }

    private async Task<int> FailedCountAsync(string email)
    {
        await using var db = portal.Factory.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContext();
        return await db.Users.Where(u => u.Email == email).Select(u => u.AccessFailedCount).SingleAsync();
    }

    private HttpClient NewClient() => portal.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private static string PathOf(HttpResponseMessage redirect) =>
        new Uri(new Uri("http://localhost/"), redirect.Headers.Location!).AbsolutePath;

    private static Task<HttpResponseMessage> PostCodeAsync(HttpClient client, string url, string formName, string field, string code) =>
        StaticForms.PostAsync(client, url, formName, new Dictionary<string, string> { [field] = code });

    [GeneratedRegex("data-testid=\"authenticator-key\">([^<]+)<")]
    private static partial Regex AuthenticatorKey();

    [GeneratedRegex("<kbd>[A-Z2-9]{5}-[A-Z2-9]{5}</kbd>")]
    private static partial Regex RecoveryCode();
}
