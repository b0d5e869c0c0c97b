using System.Net;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LockboxPortal.Tests.Hosting;

/// <summary>
/// Finding 3: sign-in is limited per client address and per account, and a real account and an unknown one get the
/// same answers, for a wrong password and for the limit.
/// </summary>
public sealed class SignInThrottleTests : IDisposable
{
    private const string WrongPassword = "The email or password is not right.";
    private const string Throttled = "Too many failed sign-ins from here or for this account.";

    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task ARealAndAnUnknownAccount_GetTheSameAnswers_ForWrongPasswords_AndThenForTheLimit()
    {
        await using var factory = Portal(perAccount: 3, perAddress: 100);
        using var client = Client(factory);

        foreach (var email in new[] { "engineer@fabrikam.test", "nobody-here@fabrikam.test" })
        {
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var refused = await SignInTests.PostLoginAsync(client, email, "wrong-password-" + attempt);
                Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
                Assert.Contains(WrongPassword, await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            var limited = await SignInTests.PostLoginAsync(client, email, "wrong-password-3");
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.Contains(Throttled, await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task OnceAnAccountsBudgetIsSpent_EvenTheRightPasswordWaits_UntilTheWindowPasses()
    {
        await using var factory = Portal(perAccount: 3, perAddress: 100);
        using var client = Client(factory);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await SignInTests.PostLoginAsync(client, "manager@fabrikam.test", "wrong-password-" + attempt);
        }

        var waiting = await SignInTests.PostLoginAsync(client, "manager@fabrikam.test", PortalFactory.DemoPassword);
        var otherAccount = await SignInTests.PostLoginAsync(Client(factory), "engineer@fabrikam.test", PortalFactory.DemoPassword);
        _time.Advance(TimeSpan.FromMinutes(5));
        var later = await SignInTests.PostLoginAsync(client, "manager@fabrikam.test", PortalFactory.DemoPassword);

        Assert.Equal(HttpStatusCode.TooManyRequests, waiting.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, otherAccount.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, later.StatusCode);
    }

    [Fact]
    public async Task GuessingAcrossManyAccounts_FromOneAddress_MeetsTheAddressLimit()
    {
        await using var factory = Portal(perAccount: 100, perAddress: 5);
        using var client = Client(factory);
        for (var account = 0; account < 5; account++)
        {
            Assert.Equal(HttpStatusCode.OK, (await SignInTests.PostLoginAsync(client, $"guess{account}@fabrikam.test", "password-guess")).StatusCode);
        }

        var limited = await SignInTests.PostLoginAsync(client, "engineer@fabrikam.test", PortalFactory.DemoPassword);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
    }

    private PortalFactory Portal(int perAccount, int perAddress) =>
        new PortalFactory(_folder.File("lockbox.db"))
            .With("SignIn:Throttle:FailuresPerAccount", perAccount.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .With("SignIn:Throttle:FailuresPerAddress", perAddress.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithServices(services => services.AddSingleton<TimeProvider>(_time));

    private static HttpClient Client(PortalFactory factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
}
