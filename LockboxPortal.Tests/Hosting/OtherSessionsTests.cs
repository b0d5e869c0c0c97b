using System.Net;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LockboxPortal.Tests.Hosting;

/// <summary>
/// Signing out, or changing the password, ends the person's other sessions: each carries the old security stamp,
/// which the cookie's validation (every minute, on the app's clock) no longer accepts. Someone else's session goes on.
/// </summary>
public sealed class OtherSessionsTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private PortalFactory _factory = default!;

    public Task InitializeAsync()
    {
        _factory = new PortalFactory(_folder.File("lockbox.db")).WithServices(services => services.AddSingleton<TimeProvider>(_clock));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task SignOut_EndsThePersonsOtherSessions_WithinAMinute()
    {
        using var laptop = await SignedInAsync("engineer@fabrikam.test");
        using var phone = await SignedInAsync("engineer@fabrikam.test");
        using var colleague = await SignedInAsync("engineer2@fabrikam.test");

        using var signedOut = await StaticForms.PostAsync(laptop, "/", "", new Dictionary<string, string>(), action: "/account/logout");
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);

        _clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));

        Assert.Equal(HttpStatusCode.Redirect, await StatusOfMineAsync(phone));
        Assert.Equal(HttpStatusCode.Redirect, await StatusOfMineAsync(laptop));
        Assert.Equal(HttpStatusCode.OK, await StatusOfMineAsync(colleague));
    }

    [Fact]
    public async Task ChangingThePassword_EndsTheOtherSessions_AndKeepsThisOne()
    {
        using var laptop = await SignedInAsync("manager@fabrikam.test", "/queue/internal");
        using var phone = await SignedInAsync("manager@fabrikam.test", "/queue/internal");

        using var changed = await StaticForms.PostAsync(laptop, "/profile", "profile-password", new Dictionary<string, string>
        {
            ["PasswordInput.CurrentPassword"] = PortalFactory.DemoPassword,
            ["PasswordInput.NewPassword"] = "A-new-password-for-Mia-2027",
            ["PasswordInput.ConfirmPassword"] = "A-new-password-for-Mia-2027",
        });
        Assert.Contains("Your password was changed", await changed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        _clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));

        Assert.Equal(HttpStatusCode.Redirect, await StatusOfMineAsync(phone, "/queue/internal"));
        Assert.Equal(HttpStatusCode.OK, await StatusOfMineAsync(laptop, "/queue/internal"));
    }

    [Fact]
    public async Task WithoutSigningOut_TheOtherSessionsGoOn()
    {
        using var laptop = await SignedInAsync("engineer2@fabrikam.test");
        using var phone = await SignedInAsync("engineer2@fabrikam.test");

        _clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));

        Assert.Equal(HttpStatusCode.OK, await StatusOfMineAsync(phone));
        Assert.Equal(HttpStatusCode.OK, await StatusOfMineAsync(laptop));
    }

    private async Task<HttpClient> SignedInAsync(string email, string page = "/requests/mine")
    {
        var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var response = await SignInTests.PostLoginAsync(client, email, PortalFactory.DemoPassword);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await StatusOfMineAsync(client, page));
        return client;
    }

    private static async Task<HttpStatusCode> StatusOfMineAsync(HttpClient client, string path = "/requests/mine")
    {
        using var response = await client.GetAsync(path);
        return response.StatusCode;
    }
}
