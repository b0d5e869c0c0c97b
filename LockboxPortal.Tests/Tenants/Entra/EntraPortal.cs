using System.Security.Claims;
using LockboxPortal.Data;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.Tenants.Entra;

/// <summary>
/// The demo portal on a real port with Entra sign-in pointed at a <see cref="TestDirectory"/>: Contoso's directory,
/// the provider's own directory and a directory nobody mapped.
/// </summary>
public sealed class EntraPortal : IAsyncDisposable
{
    public static readonly Guid ContosoDirectory = Guid.Parse("0c0a7050-1111-4aaa-8bbb-000000000001");
    public static readonly Guid ProviderDirectory = Guid.Parse("fab0e1a0-2222-4ccc-8ddd-000000000002");
    public static readonly Guid UnknownDirectory = Guid.Parse("deadbeef-3333-4eee-8fff-000000000003");

    private EntraPortal(TestDirectory directory, LivePortal portal)
    {
        Directory = directory;
        Portal = portal;
    }

    public TestDirectory Directory { get; }

    public LivePortal Portal { get; }

    public static EntraPortal Start(IBrowser browser)
    {
        var directory = new TestDirectory();
        return new EntraPortal(directory, new LivePortal(browser, settings: directory.PortalSettings(ProviderDirectory)));
    }

    public LockboxDbContext NewContext() =>
        Portal.Factory.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContext();

    public async Task<T> WithServiceAsync<T, TService>(Func<TService, Task<T>> use)
        where TService : notnull
    {
        await using var scope = Portal.Factory.Services.CreateAsyncScope();
        return await use(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public async Task<string> UserIdAsync(string email)
    {
        await using var db = NewContext();
        return await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
    }

    /// <summary>Maps Contoso to its directory as the provider admin, through the tenant service.</summary>
    public async Task MapContosoAsync()
    {
        var admin = ServiceHarness.As(await UserIdAsync("admin@fabrikam.test"));
        await WithServiceAsync<Tenant, TenantAdminService>(s => s.ChangeDirectoryAsync(admin, DemoData.ContosoId, ContosoDirectory.ToString()));
    }

    /// <summary>Signs in with the sign-in page's Microsoft button as whoever is signed in at the directory; returns where it landed.</summary>
    public async Task<IPage> SignInWithEntraAsync(IPage? page = null, bool expectRefusal = false)
    {
        page ??= await Portal.NewPageAsync();
        await page.GotoAsync("/account/login");
        await page.ClickAsync("[data-testid=entra-sign-in]");
        if (expectRefusal)
        {
            await page.WaitForURLAsync(url => url.Contains(EntraSetup.RefusedPath, StringComparison.Ordinal));
        }
        else
        {
            await page.WaitForURLAsync(url => url.StartsWith(Portal.BaseUrl, StringComparison.Ordinal) && !url.Contains("/account/", StringComparison.Ordinal)
                && !url.Contains("/signin-oidc", StringComparison.Ordinal));
            await LivePortal.WaitForInteractiveAsync(page);
        }

        return page;
    }

    /// <summary>The portal's own sign-in cookie in <paramref name="page"/>'s browser, opened with the portal's keys.</summary>
    public async Task<ClaimsPrincipal> CookiePrincipalAsync(IPage page)
    {
        var cookies = (await page.Context.CookiesAsync()).ToDictionary(c => c.Name, c => c.Value);
        var value = cookies["lockbox.auth"];
        if (value.StartsWith("chunks-", StringComparison.Ordinal))
        {
            var count = int.Parse(value["chunks-".Length..], System.Globalization.CultureInfo.InvariantCulture);
            value = string.Concat(Enumerable.Range(1, count).Select(i => cookies[$"lockbox.authC{i}"]));
        }

        var options = Portal.Factory.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(IdentityConstants.ApplicationScheme);
        return options.TicketDataFormat.Unprotect(value)?.Principal ?? throw new InvalidOperationException("The cookie does not open.");
    }

    public async Task<List<PortalRole>> RolesAsync(string email, Guid? tenantId)
    {
        await using var db = NewContext();
        var userId = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
        var roles = await db.Memberships.Where(m => m.UserId == userId && m.TenantId == tenantId).Select(m => m.Role).ToListAsync();
        return [.. roles.Order()];
    }

    public async Task<List<AuditEntry>> AuditAsync(AuditEventType type)
    {
        await using var db = NewContext();
        return await db.AuditEntries.Where(e => e.EventType == type).OrderBy(e => e.Id).ToListAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Portal.DisposeAsync();
        await Directory.DisposeAsync();
    }
}
