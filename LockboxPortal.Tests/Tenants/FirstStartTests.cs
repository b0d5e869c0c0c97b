using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using LockboxPortal.Data;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Tenants;

/// <summary>A fresh production install: no demo accounts, no default password, one one-time setup link.</summary>
public sealed partial class FirstStartTests : IDisposable
{
    private const string Password = "first-admin-password-2026";
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task Production_OnAnEmptyDatabase_HasNoDemoAccounts_AndSetupWorksOnceWithTheToken()
    {
        var notices = new ConcurrentQueue<string>();
        await using var factory = Production(notices);
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        // No demo data, and the console got a link with a token.
        await using (var db = NewContext(factory))
        {
            Assert.False(await db.Users.AnyAsync());
            Assert.False(await db.Tenants.AnyAsync());
            Assert.Single(await db.SetupTokens.ToListAsync());
        }

        var link = Assert.Single(notices);
        var token = TokenIn().Match(link).Groups[1].Value;
        Assert.StartsWith("/setup?token=", link[link.IndexOf("/setup", StringComparison.Ordinal)..], StringComparison.Ordinal);
        Assert.Equal(43, token.Length);
        await using (var db = NewContext(factory))
        {
            Assert.Equal(SecretToken.Hash(token), (await db.SetupTokens.SingleAsync()).TokenHash);
        }

        // Without the token, or with a wrong one, the page refuses and shows no form; a post does nothing.
        foreach (var url in new[] { "/setup", "/setup?token=wrong", $"/setup?token={token}x" })
        {
            var refused = await client.GetStringAsync(url);
            Assert.Contains("setup-refused", refused, StringComparison.Ordinal);
            Assert.DoesNotContain("Input.Password", refused, StringComparison.Ordinal);
        }

        // (The refusing page has no form, so Blazor rejects the post outright.)
        Assert.DoesNotContain("setup-done", await PostSetupAsync(client, "/setup", "mallory@fabrikam.test", Password), StringComparison.Ordinal);
        Assert.DoesNotContain("setup-done", await PostSetupAsync(client, "/setup?token=wrong", "mallory@fabrikam.test", Password), StringComparison.Ordinal);
        await using (var db = NewContext(factory))
        {
            Assert.False(await db.Users.AnyAsync());
        }

        // With the token: a weak password is refused with a message and nothing written; a strong one works.
        var withToken = $"/setup?token={token}";
        Assert.Contains("Input.Password", await client.GetStringAsync(withToken), StringComparison.Ordinal);
        var weak = await PostSetupAsync(client, withToken, "ada@fabrikam.test", "short");
        Assert.Contains("error-password", weak, StringComparison.Ordinal);
        await using (var db = NewContext(factory))
        {
            Assert.False(await db.Users.AnyAsync());
        }

        Assert.Contains("setup-done", await PostSetupAsync(client, withToken, "ada@fabrikam.test", Password), StringComparison.Ordinal);

        // Afterwards the same link, and any other, is refused.
        Assert.Contains("setup-refused", await client.GetStringAsync(withToken), StringComparison.Ordinal);
        Assert.DoesNotContain("setup-done", await PostSetupAsync(client, withToken, "mallory@fabrikam.test", Password), StringComparison.Ordinal);
        await using (var db = NewContext(factory))
        {
            var admin = await db.Users.SingleAsync();
            Assert.Equal("ada@fabrikam.test", admin.Email);
            Assert.True(await db.Memberships.AnyAsync(m => m.UserId == admin.Id && m.TenantId == null && m.Role == PortalRole.ProviderAdmin));
            Assert.False(await db.SetupTokens.AnyAsync());
            Assert.Contains(await db.AuditEntries.ToListAsync(), e => e.EventType == AuditEventType.Setup_Completed && e.ActorId == admin.Id);
        }

        // The new admin signs in with the password they chose.
        var signIn = await SignInTests.PostLoginAsync(client, "ada@fabrikam.test", Password);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/", new Uri(new Uri("http://localhost/"), signIn.Headers.Location!).AbsolutePath);
    }

    [Fact]
    public async Task Production_RestartedWithoutAnAdmin_ReplacesTheToken_AndOnceAnAdminExistsIssuesNone()
    {
        var first = new ConcurrentQueue<string>();
        await using (var factory = Production(first))
        {
            factory.CreateClient().Dispose();
        }

        var second = new ConcurrentQueue<string>();
        await using (var factory = Production(second))
        {
            using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
            var oldToken = TokenIn().Match(Assert.Single(first)).Groups[1].Value;
            var newToken = TokenIn().Match(Assert.Single(second)).Groups[1].Value;
            Assert.NotEqual(oldToken, newToken);
            Assert.Contains("setup-refused", await client.GetStringAsync($"/setup?token={oldToken}"), StringComparison.Ordinal);
            Assert.Contains("setup-done", await PostSetupAsync(client, $"/setup?token={newToken}", "ada@fabrikam.test", Password), StringComparison.Ordinal);
        }

        var third = new ConcurrentQueue<string>();
        await using (var factory = Production(third))
        {
            using var client = factory.CreateClient();
            Assert.Contains("setup-refused", await client.GetStringAsync("/setup"), StringComparison.Ordinal);
            await using var db = NewContext(factory);
            Assert.False(await db.SetupTokens.AnyAsync());
        }

        Assert.Empty(third);
    }

    private WebApplicationFactory<Program> Production(ConcurrentQueue<string> notices) =>
        new PortalFactory(_folder.File("lockbox.db"), "Production").WithWebHostBuilder(builder =>
            builder.ConfigureTestServices(services => services.AddSingleton<IFirstStartNotice>(new CapturingNotice(notices))));

    private static LockboxDbContext NewContext(WebApplicationFactory<Program> factory) =>
        factory.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContext();

    /// <summary>Posts the setup form the way a browser does, with an antiforgery token from a page's form.</summary>
    private static async Task<string> PostSetupAsync(HttpClient client, string url, string email, string password)
    {
        var response = await StaticForms.PostAsync(client, "/account/login", "setup", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.DisplayName"] = "Ada Admin",
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = password,
        }, action: url);
        return await response.Content.ReadAsStringAsync();
    }

    public void Dispose() => _folder.Dispose();

    private sealed class CapturingNotice(ConcurrentQueue<string> notices) : IFirstStartNotice
    {
        public void SetupLinkIssued(string link, DateTimeOffset expiresAt) => notices.Enqueue(link);
    }

    [GeneratedRegex("token=([A-Za-z0-9_-]+)")]
    private static partial Regex TokenIn();
}
