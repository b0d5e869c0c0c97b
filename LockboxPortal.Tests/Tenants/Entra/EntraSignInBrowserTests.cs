using LockboxPortal.Common;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.Tenants.Entra;

/// <summary>
/// Sign-in through a real OpenID Connect provider on a local port (<see cref="TestDirectory"/>), through the real
/// Microsoft.Identity.Web middleware, in headless Chromium.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class EntraSignInBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task APersonOfAKnownDirectory_WithAnAppRole_LandsWithThatRole()
    {
        await using var entra = EntraPortal.Start(browser.Browser);

        // The provider admin connects Contoso to its directory on the tenant page.
        var admin = await entra.Portal.SignInAsync("admin@fabrikam.test");
        await admin.GotoAsync("/admin/tenants");
        await LivePortal.WaitForInteractiveAsync(admin);
        await admin.Locator("[data-testid=tenants] tr").Filter(new LocatorFilterOptions { HasText = "contoso" }).Locator("[data-testid=manage-tenant]").ClickAsync();
        await admin.Locator("[data-testid=tenant-directory] input, input[data-testid=tenant-directory]").First.FillAsync(EntraPortal.ContosoDirectory.ToString());
        await admin.ClickAsync("[data-testid=change-directory]");
        await Assertions.Expect(admin.Locator("[data-testid=tenants]")).ToContainTextAsync(EntraPortal.ContosoDirectory.ToString());

        entra.Directory.SignedIn = entra.Directory.NewPerson(EntraPortal.ContosoDirectory, "Ada Lovelace", "ada@contoso.example", "Lockbox.TenantAdmin");
        var ada = await entra.SignInWithEntraAsync();

        // She reaches the approvers' queue, which only a TenantAdmin may open.
        await ada.GotoAsync("/queue/approvals");
        await LivePortal.WaitForInteractiveAsync(ada);
        Assert.DoesNotContain("/account/access-denied", ada.Url, StringComparison.Ordinal);
        Assert.Equal([PortalRole.TenantAdmin], await entra.RolesAsync("ada@contoso.example", DemoData.ContosoId));

        // The person was created from the token and is found by directory and object id from now on.
        await using var db = entra.NewContext();
        var adaId = await entra.UserIdAsync("ada@contoso.example");
        var login = await db.UserLogins.SingleAsync(l => l.UserId == adaId);
        Assert.Equal((DirectorySignIn.LoginProvider, $"{EntraPortal.ContosoDirectory}/{entra.Directory.SignedIn.ObjectId}"), (login.LoginProvider, login.ProviderKey));
        Assert.Equal("Ada Lovelace", (await db.Users.SingleAsync(u => u.Id == adaId)).DisplayName);
        var granted = Assert.Single(await entra.AuditAsync(AuditEventType.Membership_Granted), e => e.SubjectId == adaId);
        Assert.Equal(DemoData.ContosoId, granted.TenantId);
        Assert.Contains("\"through\":\"entra\"", granted.DetailsJson, StringComparison.Ordinal);
        Assert.Single(await entra.AuditAsync(AuditEventType.EntraPerson_Created), e => e.SubjectId == adaId);
        Assert.Single(await entra.AuditAsync(AuditEventType.Tenant_DirectoryChanged), e => e.TenantId == DemoData.ContosoId);

        // The portal's cookie keeps how the directory authenticated her.
        var cookie = await entra.CookiePrincipalAsync(ada);
        Assert.True(DirectorySession.IsDirectorySignIn(cookie));
        Assert.Contains(cookie.FindAll(DirectorySession.MethodsClaim), c => c.Value == "pwd");
        Assert.Equal(entra.Directory.SignedIn.AuthenticatedAt.ToUnixTimeSeconds(), DirectorySession.AuthenticatedAt(cookie)!.Value.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task APersonOfAnUnknownDirectory_IsRefused_WithAClearPage_AndTheAttemptIsRecorded()
    {
        await using var entra = EntraPortal.Start(browser.Browser);
        entra.Directory.SignedIn = entra.Directory.NewPerson(EntraPortal.UnknownDirectory, "Mallory", "mallory@elsewhere.example", "Lockbox.SecurityOfficer");

        var page = await entra.SignInWithEntraAsync(expectRefusal: true);

        await Assertions.Expect(page.Locator("[data-testid=entra-refused]")).ToContainTextAsync("not connected to LockboxPortal");
        await page.GotoAsync("/");
        await page.WaitForURLAsync(url => url.Contains("/account/login", StringComparison.Ordinal));
        await using var db = entra.NewContext();
        Assert.False(await db.Users.AnyAsync(u => u.Email == "mallory@elsewhere.example"));
        var attempt = Assert.Single(await entra.AuditAsync(AuditEventType.EntraSignIn_UnknownDirectory));
        Assert.Null(attempt.TenantId);
        Assert.Contains(EntraPortal.UnknownDirectory.ToString(), attempt.DetailsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARoleRemovedInTheDirectory_IsRemovedAtTheNextSignIn()
    {
        await using var entra = EntraPortal.Start(browser.Browser);
        await entra.MapContosoAsync();
        var bob = entra.Directory.NewPerson(EntraPortal.ContosoDirectory, "Bob Officer", "bob@contoso.example", "Lockbox.TenantAdmin", "Lockbox.SecurityOfficer");
        entra.Directory.SignedIn = bob;
        await entra.SignInWithEntraAsync();
        Assert.Equal([PortalRole.TenantAdmin, PortalRole.SecurityOfficer], await entra.RolesAsync("bob@contoso.example", DemoData.ContosoId));

        // The customer's officer puts Bob on the approver list (a LockboxPortal decision, not the directory's).
        var officer = ServiceHarness.WithSecondFactor(await entra.UserIdAsync("officer@contoso.test"));
        var bobId = await entra.UserIdAsync("bob@contoso.example");
        await entra.WithServiceAsync<bool, ApproverListService>(async s =>
        {
            await s.AddApproverAsync(officer, DemoData.ContosoId, bobId);
            return true;
        });

        // The directory takes the TenantAdmin role away; at his next sign-in the portal follows.
        bob.Roles.Remove("Lockbox.TenantAdmin");
        var page = await entra.SignInWithEntraAsync();

        Assert.Equal([PortalRole.SecurityOfficer], await entra.RolesAsync("bob@contoso.example", DemoData.ContosoId));
        await using var db = entra.NewContext();
        Assert.False(await db.ApproverListEntries.AnyAsync(e => e.UserId == bobId), "someone who is no longer a TenantAdmin cannot stay an approver");
        var removed = Assert.Single(await entra.AuditAsync(AuditEventType.Membership_Removed), e => e.SubjectId == bobId);
        Assert.Contains("\"role\":\"TenantAdmin\"", removed.DetailsJson, StringComparison.Ordinal);
        Assert.Contains("\"through\":\"entra\"", removed.DetailsJson, StringComparison.Ordinal);
        Assert.Equal(1, (await db.Users.CountAsync(u => u.Email == "bob@contoso.example")));
        await page.GotoAsync("/queue/approvals");
        await page.WaitForURLAsync(url => url.Contains("/account/access-denied", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MfaInTheToken_SatisfiesTheTenantsTwoFactorPolicy()
    {
        await using var entra = EntraPortal.Start(browser.Browser);
        var (reference, carolId) = await TwoFactorTenantWithEntraApproverAsync(entra, "carol@contoso.example", methods: ["pwd", "mfa"]);

        var carol = await entra.SignInWithEntraAsync();
        await ApproveAsync(carol, reference);

        await Assertions.Expect(carol.Locator("tr").Filter(new LocatorFilterOptions { HasText = reference })).ToHaveCountAsync(0);
        await using var db = entra.NewContext();
        Assert.Equal(RequestStatus.Approved, (await db.AccessRequests.SingleAsync(r => r.Reference == reference)).Status);
        Assert.DoesNotContain(entra.Directory.AuthorizeRequests, q => q.ContainsKey("prompt") || q.ContainsKey("max_age"));
        Assert.DoesNotContain(await entra.AuditAsync(AuditEventType.Operation_Refused), e => e.ActorId == carolId);
    }

    [Fact]
    public async Task ASignInTheDecisionCannotUse_IsSentToSignInAgainAtTheDirectory_ThenDecides()
    {
        await using var entra = EntraPortal.Start(browser.Browser);
        var (reference, daveId) = await TwoFactorTenantWithEntraApproverAsync(entra, "dave@contoso.example", methods: ["pwd"]);
        var dave = entra.Directory.SignedIn!;
        var hoursAgo = DateTimeOffset.UtcNow.AddHours(-3);
        dave.AuthenticatedAt = hoursAgo;

        var page = await entra.SignInWithEntraAsync();
        Assert.Equal(hoursAgo.ToUnixTimeSeconds(), DirectorySession.AuthenticatedAt(await entra.CookiePrincipalAsync(page))!.Value.ToUnixTimeSeconds());

        // The decision is refused for this sign-in; the portal sends him to the directory to authenticate again.
        await page.RunAndWaitForRequestAsync(() => ApproveAsync(page, reference), r => r.Url.StartsWith(entra.Directory.BaseUrl, StringComparison.Ordinal));
        await page.WaitForURLAsync(url => url.StartsWith(entra.Portal.BaseUrl + "/queue/approvals", StringComparison.Ordinal));
        await LivePortal.WaitForInteractiveAsync(page);
        var again = entra.Directory.AuthorizeRequests[^1];
        Assert.Equal(("0", "login"), (again["max_age"], again["prompt"]));

        // Back with a new auth_time and the second factor, the same decision goes through.
        var cookie = await entra.CookiePrincipalAsync(page);
        Assert.True(DirectorySession.AuthenticatedAt(cookie) > hoursAgo.AddHours(2));
        Assert.Contains(cookie.FindAll(DirectorySession.MethodsClaim), c => c.Value == "mfa");
        await ApproveAsync(page, reference);
        await Assertions.Expect(page.Locator("tr").Filter(new LocatorFilterOptions { HasText = reference })).ToHaveCountAsync(0);
        await using var db = entra.NewContext();
        Assert.Equal(RequestStatus.Approved, (await db.AccessRequests.SingleAsync(r => r.Reference == reference)).Status);
        Assert.Single(await entra.AuditAsync(AuditEventType.Operation_Refused), e => e.ActorId == daveId && e.DetailsJson.Contains("second-factor-required", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithoutAzureAdSettings_ThePortalSignsInLocallyOnly_AndShowsNoEntraButton()
    {
        await using var portal = new LivePortal(browser.Browser);
        var page = await portal.NewPageAsync();

        await page.GotoAsync("/account/login");
        await Assertions.Expect(page.Locator("#email")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=entra-sign-in]")).ToHaveCountAsync(0);
        var schemes = portal.Factory.Services.GetRequiredService<IAuthenticationSchemeProvider>();
        Assert.Null(await schemes.GetSchemeAsync(EntraSetup.Scheme));
        var response = await page.APIRequest.GetAsync(EntraSetup.SignInPath, new() { MaxRedirects = 0 });
        Assert.StartsWith($"{portal.BaseUrl}/account/login", new Uri(new Uri(portal.BaseUrl), response.Headers["location"]).ToString(), StringComparison.Ordinal);

        var signedIn = await portal.SignInAsync("approver1@contoso.test");
        await Assertions.Expect(signedIn.Locator(".mud-layout")).ToBeVisibleAsync();
    }

    /// <summary>
    /// Contoso mapped to its directory and requiring two-factor; an Entra person with the TenantAdmin role, signed in
    /// once so that the officer can put them on the approver list; a request awaiting the customer.
    /// </summary>
    private static async Task<(string Reference, string UserId)> TwoFactorTenantWithEntraApproverAsync(EntraPortal entra, string email, string[] methods)
    {
        await entra.MapContosoAsync();
        var person = entra.Directory.NewPerson(EntraPortal.ContosoDirectory, email, email, "Lockbox.TenantAdmin");
        person.Methods = methods;
        entra.Directory.SignedIn = person;
        await entra.SignInWithEntraAsync();

        var userId = await entra.UserIdAsync(email);
        var officer = ServiceHarness.WithSecondFactor(await entra.UserIdAsync("officer@contoso.test"));
        var engineer = ServiceHarness.As(await entra.UserIdAsync("engineer@fabrikam.test"));
        var manager = ServiceHarness.As(await entra.UserIdAsync("manager@fabrikam.test"));
        TenantPolicy policy;
        await using (var db = entra.NewContext())
        {
            policy = (await db.Tenants.SingleAsync(t => t.Id == DemoData.ContosoId)).Policy;
        }

        await entra.WithServiceAsync<ChangeOutcome, ApproverListService>(async approvers =>
        {
            await approvers.AddApproverAsync(officer, DemoData.ContosoId, userId);
            return await approvers.ChangePolicyAsync(officer, DemoData.ContosoId, policy with { RequireTwoFactor = true });
        });
        var pending = await entra.WithServiceAsync<AccessRequest, AccessRequestService>(async requests =>
        {
            var filed = await requests.FileAsync(engineer, new FileRequestInput(
                DemoData.ContosoId, "Exchange:mailbox/ana@contoso.com", AccessLevel.Read, "Calendar items vanish after the migration.", null, TimeSpan.FromHours(1), Reason: RequestReason.Maintenance));
            return await requests.DecideInternalAsync(manager, filed.Id, approve: true, "ok");
        });
        return (pending.Reference, userId);
    }

    private static async Task ApproveAsync(IPage page, string reference)
    {
        if (!page.Url.Contains("/queue/approvals", StringComparison.Ordinal))
        {
            await page.GotoAsync("/queue/approvals");
            await LivePortal.WaitForInteractiveAsync(page);
        }

        var row = page.Locator("tr").Filter(new LocatorFilterOptions { HasText = reference });
        await row.Locator("[data-testid=approve]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=dialog-summary]")).ToContainTextAsync("ana@contoso.com");
        await page.ClickAsync("[data-testid=decision-confirm]");
    }
}
