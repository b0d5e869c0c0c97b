using System.Net;
using System.Text.RegularExpressions;
using LockboxPortal.Data;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LockboxPortal.Tests.Hosting;

/// <summary>
/// Finding 3: a failed sign-in looks and costs the same for an unknown, a real and a locked-out account (counted in
/// password-hash checks, not in milliseconds), and a person locked out by someone else's wrong passwords still signs
/// in with password and authenticator code together.
/// </summary>
public sealed partial class LockoutRecoveryTests : IDisposable
{
    private const string WrongPassword = "The email or password is not right.";
    private const string NotRight = "The email, password or code is not right.";

    private readonly TempFolder _folder = new();
    private readonly CountingHasher _hasher = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task UnknownRealAndLockedOutAccounts_GetTheSameAnswer_AndEachChecksOnePasswordHash()
    {
        await using var factory = Portal();
        using var client = Client(factory);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await SignInTests.PostLoginAsync(client, "manager@fabrikam.test", "wrong-password-" + attempt);
        }

        var unknown = await LoginAsync(client, "nobody-at-all@fabrikam.test", "wrong-password");
        var real = await LoginAsync(client, "engineer@fabrikam.test", "wrong-password");
        var lockedWrong = await LoginAsync(client, "manager@fabrikam.test", "wrong-password");
        var lockedRight = await LoginAsync(client, "manager@fabrikam.test", PortalFactory.DemoPassword);

        Assert.Equal((HttpStatusCode.OK, 1), (unknown.Status, unknown.Hashes));
        Assert.Contains(WrongPassword, unknown.Page, StringComparison.Ordinal);
        Assert.All([real, lockedWrong, lockedRight], answer => Assert.Equal(unknown, answer));
        Assert.DoesNotContain(PortalFactory.DemoPassword, lockedRight.Page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PasswordAndCode_ForUnknownAccountsWithoutAFactorOrWrongParts_GetTheSameAnswer_AndEachChecksOnePasswordHash()
    {
        await using var factory = Portal();
        using var client = Client(factory);
        var right = Totp.Now(PortalFactory.DemoAuthenticatorKey);

        var unknown = await WithCodeAsync(client, "nobody-at-all@contoso.test", PortalFactory.DemoPassword, right);
        var noFactor = await WithCodeAsync(client, "engineer@fabrikam.test", PortalFactory.DemoPassword, right);
        var wrongPassword = await WithCodeAsync(client, "approver1@contoso.test", "wrong-password", right);
        var wrongCode = await WithCodeAsync(client, "approver1@contoso.test", PortalFactory.DemoPassword, WrongCode());

        Assert.Equal((HttpStatusCode.OK, 1), (unknown.Status, unknown.Hashes));
        Assert.Contains(NotRight, unknown.Page, StringComparison.Ordinal);
        Assert.All([noFactor, wrongPassword, wrongCode], answer => Assert.Equal(unknown, answer));
        Assert.DoesNotContain(PortalFactory.DemoPassword, unknown.Page, StringComparison.Ordinal);
        Assert.DoesNotContain($"value=\"{right}\"", unknown.Page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALockedOutPerson_SignsInWithPasswordAndCode_Audited_WhileThePasswordAloneStaysLocked()
    {
        await using var factory = Portal();
        using var attacker = Client(factory);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await SignInTests.PostLoginAsync(attacker, "approver1@contoso.test", "wrong-password-" + attempt);
        }

        using var person = Client(factory);
        var passwordAlone = await SignInTests.PostLoginAsync(person, "approver1@contoso.test", PortalFactory.DemoPassword);
        var withCode = await PostWithCodeAsync(person, "approver1@contoso.test", PortalFactory.DemoPassword, Totp.Now(PortalFactory.DemoAuthenticatorKey));

        Assert.Equal(HttpStatusCode.OK, passwordAlone.StatusCode);
        Assert.Contains(WrongPassword, await passwordAlone.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, withCode.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await person.GetAsync("/queue/approvals")).StatusCode);
        await using var db = factory.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContext();
        var user = await db.Users.SingleAsync(u => u.Email == "approver1@contoso.test");
        Assert.True(user.LockoutEnd > DateTimeOffset.UtcNow, "The password-only lockout runs on.");
        Assert.Contains(await db.AuditEntries.ToListAsync(), e => e.EventType == AuditEventType.SignIn_DespiteLockout && e.SubjectId == user.Id);
        Assert.Equal(HttpStatusCode.OK, (await SignInTests.PostLoginAsync(Client(factory), "approver1@contoso.test", PortalFactory.DemoPassword)).StatusCode);
    }

    [Fact]
    public async Task StrangersCannotSpendTheCodeBudget_ButWrongCodesAfterTheRightPassword_Do()
    {
        await using var factory = Portal().With("SignIn:Throttle:CodeFailuresPerAccount", "3");
        using var stranger = Client(factory);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await PostWithCodeAsync(stranger, "approver1@contoso.test", "wrong-password-" + attempt, WrongCode());
            await PostWithCodeAsync(stranger, "approver2@contoso.test", PortalFactory.DemoPassword, WrongCode());
        }

        var owner = await PostWithCodeAsync(Client(factory), "approver1@contoso.test", PortalFactory.DemoPassword, Totp.Now(PortalFactory.DemoAuthenticatorKey));
        var guessed = await WithCodeAsync(Client(factory), "approver2@contoso.test", PortalFactory.DemoPassword, Totp.Now(PortalFactory.DemoAuthenticatorKey));

        Assert.Equal(HttpStatusCode.Redirect, owner.StatusCode);
        Assert.Equal(HttpStatusCode.OK, guessed.Status);
        Assert.Contains(NotRight, guessed.Page, StringComparison.Ordinal);
    }

    /// <summary>A code no authenticator shows around now (Identity accepts neighbouring time steps too).</summary>
    private static string WrongCode()
    {
        var now = DateTimeOffset.UtcNow;
        var near = Enumerable.Range(-4, 9).Select(step => Totp.Code(PortalFactory.DemoAuthenticatorKey, now.AddSeconds(30 * step))).ToHashSet();
        return Enumerable.Range(0, 10).Select(d => new string((char)('0' + d), 6)).First(code => !near.Contains(code));
    }

    private sealed record Answer(HttpStatusCode Status, int Hashes, string Page);

    private Task<Answer> LoginAsync(HttpClient client, string email, string password) =>
        AnswerAsync(email, () => SignInTests.PostLoginAsync(client, email, password));

    private Task<Answer> WithCodeAsync(HttpClient client, string email, string password, string code) =>
        AnswerAsync(email, () => PostWithCodeAsync(client, email, password, code));

    /// <summary>
    /// The answer with what may differ taken out: the antiforgery tokens, the server components' protected state (both
    /// encrypted afresh for every answer) and the email the form shows back.
    /// </summary>
    private async Task<Answer> AnswerAsync(string email, Func<Task<HttpResponseMessage>> post)
    {
        var before = _hasher.Verifications;
        var response = await post();
        var page = Protected().Replace(Token().Replace(await response.Content.ReadAsStringAsync(), "TOKEN"), "STATE").Replace(email, "EMAIL", StringComparison.Ordinal);
        return new Answer(response.StatusCode, _hasher.Verifications - before, page);
    }

    private static Task<HttpResponseMessage> PostWithCodeAsync(HttpClient client, string email, string password, string code) =>
        StaticForms.PostAsync(client, "/account/login-code", "login-code", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["Input.Code"] = code,
        });

    private PortalFactory Portal() =>
        new PortalFactory(_folder.File("lockbox.db")).WithServices(services => services.AddSingleton<IPasswordHasher<PortalUser>>(_hasher));

    private static HttpClient Client(PortalFactory factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    [GeneratedRegex("(?<=__RequestVerificationToken\"[^>]*value=\")[^\"]+")]
    private static partial Regex Token();

    [GeneratedRegex("(?<=<!--Blazor-Server-Component-State:)[^-]+(?=-->)")]
    private static partial Regex Protected();

    /// <summary>The portal's hasher, counting the password checks it makes.</summary>
    private sealed class CountingHasher : IPasswordHasher<PortalUser>
    {
        private readonly PasswordHasher<PortalUser> _inner = new(Options.Create(new PasswordHasherOptions()));
        private int _verifications;

        public int Verifications => Volatile.Read(ref _verifications);

        public string HashPassword(PortalUser user, string password) => _inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(PortalUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verifications);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
