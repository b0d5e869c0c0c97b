using LockboxPortal.Data;
using LockboxPortal.Features.Audit;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.Hosting;

/// <summary>
/// Passkeys through Identity's WebAuthn support, in real Chromium with a virtual authenticator (the DevTools WebAuthn
/// domain standing in for a phone or a laptop's fingerprint reader): register several, name them, rename and remove
/// one, then sign in with a passkey alone. Every step is in the trail.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class PasskeyBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task APerson_RegistersNamesAndRemovesPasskeys_ThenSignsInWithOne()
    {
        await using var portal = new LivePortal(browser.Browser);
        var page = await portal.NewPageAsync(host: "localhost");
        await LivePortal.SignInAsync(page, "approver1@contoso.test");
        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable");
        var laptop = await AddAuthenticatorAsync(cdp);

        await page.GotoAsync("/account/passkeys");
        await AddAsync(page, "work laptop");

        // A second device: an authenticator never registers twice for one account, so the phone is another one.
        await cdp.SendAsync("WebAuthn.removeVirtualAuthenticator", new Dictionary<string, object> { ["authenticatorId"] = laptop });
        await AddAuthenticatorAsync(cdp);
        await AddAsync(page, "phone");
        await Assertions.Expect(page.Locator("[data-testid=passkey-name]")).ToHaveTextAsync(["work laptop", "phone"]);

        var phone = page.Locator("[data-testid=passkey-row]").Filter(new LocatorFilterOptions { HasText = "phone" });
        await phone.Locator("[data-testid=rename-name]").FillAsync("old phone");
        await phone.Locator("[data-testid=rename-passkey]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=passkey-name]")).ToHaveTextAsync(["work laptop", "old phone"]);
        await page.Locator("[data-testid=passkey-row]").Filter(new LocatorFilterOptions { HasText = "work laptop" })
            .Locator("[data-testid=remove-passkey]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=passkey-name]")).ToHaveTextAsync(["old phone"]);

        // Signed out, the remaining passkey (the phone's) signs the person in without a password.
        await page.Context.ClearCookiesAsync();
        await page.GotoAsync("/account/login");
        await page.ClickAsync("[data-testid=passkey-sign-in]");
        try
        {
            await page.WaitForURLAsync(url => !url.Contains("/account/login", StringComparison.Ordinal));
        }
        catch (TimeoutException)
        {
            var said = await page.Locator("[data-passkey-status], [data-testid=login-error]").AllInnerTextsAsync();
            Assert.Fail($"The passkey did not sign in: {string.Join(" | ", said)}");
        }
        await LivePortal.WaitForInteractiveAsync(page);
        await page.GotoAsync("/queue/approvals");
        await Assertions.Expect(page.Locator("h4, h1").Filter(new LocatorFilterOptions { HasText = "Approval" }).First).ToBeVisibleAsync();

        await using var db = portal.Factory.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContext();
        var trail = await db.AuditEntries.AsNoTracking().ToListAsync();
        Assert.Equal(2, trail.Count(e => e.EventType == AuditEventType.Passkey_Added));
        Assert.Single(trail, e => e.EventType == AuditEventType.Passkey_Renamed && e.DetailsJson.Contains("old phone", StringComparison.Ordinal));
        Assert.Single(trail, e => e.EventType == AuditEventType.Passkey_Removed && e.DetailsJson.Contains("work laptop", StringComparison.Ordinal));
        Assert.Single(trail, e => e.EventType == AuditEventType.SignIn_WithPasskey && e.DetailsJson.Contains("approver1@contoso.test", StringComparison.Ordinal));
        Assert.Equal(1, await db.Set<Microsoft.AspNetCore.Identity.IdentityUserPasskey<string>>().CountAsync());
    }

    internal static async Task<string> AddAuthenticatorAsync(ICDPSession cdp)
    {
        var added = await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });
        return added!.Value.GetProperty("authenticatorId").GetString()!;
    }

    internal static async Task AddAsync(IPage page, string name)
    {
        var before = await page.Locator("[data-testid=passkey-row]").CountAsync();
        await page.FillAsync("#passkey-name", name);
        await page.ClickAsync("[data-testid=add-passkey]");
        try
        {
            await Assertions.Expect(page.Locator("[data-testid=passkey-row]")).ToHaveCountAsync(before + 1);
        }
        catch (PlaywrightException)
        {
            // Say what the page said: the script's status line or the portal's refusal.
            var said = await page.Locator("[data-testid=passkey-status], [data-testid=passkey-error]").AllInnerTextsAsync();
            Assert.Fail($"Adding the passkey \"{name}\" failed: {string.Join(" | ", said)}");
        }
    }
}
