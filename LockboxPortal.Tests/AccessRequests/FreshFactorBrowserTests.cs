using System.Security.Claims;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.AccessRequests;

/// <summary>
/// The approval queue in real Chromium, in a tenant that requires two-factor: the approver signed in with their app's
/// code, and each decision still asks for one. Without it, or with one older than the window, the service refuses and
/// the page says why; with the code shown now, the approval counts.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class FreshFactorBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task ADecision_WithoutAFreshCode_OrWithAnOldOne_IsRefused_WithTheCodeShownNow_ItCounts()
    {
        await using var portal = new LivePortal(browser.Browser);
        string key;
        await using (var db = portal.Factory.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContext())
        {
            var contoso = await db.Tenants.SingleAsync(t => t.Id == DemoData.ContosoId);
            contoso.ChangePolicy(contoso.Policy with { RequireTwoFactor = true });
            await db.SaveChangesAsync();
            key = await Authenticators.EnrolAsync(db, "approver1@contoso.test");
        }

        var reference = await PendingCustomerAsync(portal);
        var approver = await SignInWithCodeAsync(portal, "approver1@contoso.test", key);
        await approver.GotoAsync("/queue/approvals");
        await LivePortal.WaitForInteractiveAsync(approver);

        await ApproveAsync(approver, reference, code: null);
        await Assertions.Expect(Snackbar(approver, "fresh second factor")).ToBeVisibleAsync();

        await ApproveAsync(approver, reference, Totp.Code(key, DateTimeOffset.UtcNow.AddMinutes(-6)));
        await Assertions.Expect(Snackbar(approver, "older than this tenant allows")).ToBeVisibleAsync();
        await Assertions.Expect(Row(approver, reference)).ToHaveCountAsync(1);

        await ApproveAsync(approver, reference, Totp.Now(key));
        await Assertions.Expect(Row(approver, reference)).ToHaveCountAsync(0);
        await using var after = portal.Factory.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContext();
        Assert.Equal(RequestStatus.Approved, (await after.AccessRequests.SingleAsync(r => r.Reference == reference)).Status);
    }

    private static ILocator Snackbar(IPage page, string text) => page.Locator(".mud-snackbar").Filter(new LocatorFilterOptions { HasText = text }).First;

    internal static ILocator Row(IPage page, string reference) => page.Locator("tr").Filter(new LocatorFilterOptions { HasText = reference });

    private static async Task ApproveAsync(IPage page, string reference, string? code)
    {
        await Row(page, reference).Locator("[data-testid=approve]").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-dialog")).ToContainTextAsync("proven within 5 min");
        if (code is not null)
        {
            await page.Locator("[data-testid=fresh-factor-code] input, input[data-testid=fresh-factor-code]").First.FillAsync(code);
        }

        await page.ClickAsync("[data-testid=decision-confirm]");
        await Assertions.Expect(page.Locator("[data-testid=decision-confirm]")).ToHaveCountAsync(0);
    }

    /// <summary>Password, then the app's code, as a person with two-factor on signs in.</summary>
    private static async Task<IPage> SignInWithCodeAsync(LivePortal portal, string email, string key)
    {
        var page = await portal.NewPageAsync();
        await page.GotoAsync("/account/login");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", PortalFactory.DemoPassword);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => url.Contains("/account/login-2fa", StringComparison.Ordinal));
        await page.FillAsync("#code", Totp.Now(key));
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/account/login", StringComparison.Ordinal));
        await LivePortal.WaitForInteractiveAsync(page);
        return page;
    }

    /// <summary>A request for Contoso that the provider's manager has approved, so it waits for Contoso's approvers.</summary>
    internal static async Task<string> PendingCustomerAsync(LivePortal portal)
    {
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LockboxDbContext>();
        ClaimsPrincipal As(string email)
        {
            var id = db.Users.Single(u => u.Email == email).Id;
            return new ClaimsPrincipal(new ClaimsIdentity(new[] { new Claim(ClaimTypes.NameIdentifier, id) }, "Test"));
        }

        var requests = scope.ServiceProvider.GetRequiredService<AccessRequestService>();
        var filed = await requests.FileAsync(As("engineer@fabrikam.test"), new FileRequestInput(
            DemoData.ContosoId, "Exchange:mailbox/ana@contoso.com/calendar", AccessLevel.Read,
            "Calendar items vanish after the migration; need to read the folders.", null, null, Reason: RequestReason.Maintenance));
        await requests.DecideInternalAsync(As("manager@fabrikam.test"), filed.Id, approve: true, "ok");
        return filed.Reference;
    }
}
