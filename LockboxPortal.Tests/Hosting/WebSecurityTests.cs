using System.Net;
using System.Text.RegularExpressions;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;

namespace LockboxPortal.Tests.Hosting;

/// <summary>
/// Finding 9: every header on a page, an API answer and a static file; behind a TLS proxy the cookies are Secure and
/// HSTS is sent, but only when the proxy is a known one; plain HTTP is redirected when asked for.
/// </summary>
public sealed partial class WebSecurityTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("/account/login", HttpStatusCode.OK)]
    [InlineData("/api/v1/requests", HttpStatusCode.Unauthorized)]
    [InlineData("/app.css", HttpStatusCode.OK)]
    public async Task PageApiAnswerAndStaticFile_BehindAKnownTlsProxy_CarryEveryHeader_AndHsts(string path, HttpStatusCode status)
    {
        await using var factory = BehindProxy("127.0.0.1");
        using var client = new HttpClient { BaseAddress = new Uri(factory.StartOnRealPort()) };

        using var response = await client.SendAsync(ThroughProxy(HttpMethod.Get, path));

        Assert.Equal(status, response.StatusCode);
        foreach (var (name, value) in SecurityHeaders.Values)
        {
            Assert.Equal(value, Header(response, name));
        }

        Assert.Contains("script-src 'self'", Header(response, "Content-Security-Policy"), StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'self'", Header(response, "Content-Security-Policy"), StringComparison.Ordinal);
        Assert.Equal("max-age=31536000", Header(response, "Strict-Transport-Security"));
    }

    [Fact]
    public async Task SignIn_BehindAKnownTlsProxy_SetsSecureHttpOnlySameSiteCookies()
    {
        await using var factory = BehindProxy("127.0.0.1");
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(factory.StartOnRealPort()) };

        using var page = await client.SendAsync(ThroughProxy(HttpMethod.Get, "/account/login"));
        var antiforgery = Assert.Single(SetCookies(page), c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));
        AssertFlags(antiforgery, "samesite=strict");

        var signedIn = await PostLoginAsync(client, page, antiforgery);

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var session = Assert.Single(SetCookies(signedIn), c => c.StartsWith("lockbox.auth=", StringComparison.Ordinal));
        AssertFlags(session, "samesite=strict");
    }

    [Fact]
    public async Task ForwardedProto_FromAnUnknownProxy_IsIgnored_SoNothingClaimsHttps()
    {
        await using var factory = BehindProxy("10.9.9.9");
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(factory.StartOnRealPort()) };

        using var page = await client.SendAsync(ThroughProxy(HttpMethod.Get, "/account/login"));

        var antiforgery = Assert.Single(SetCookies(page), c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));
        Assert.DoesNotContain("secure", Flags(antiforgery));
        Assert.False(page.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task HttpsRedirect_WhenTurnedOn_SendsPlainHttpToHttps()
    {
        await using var factory = new PortalFactory(_folder.File("lockbox.db"), realPort: true)
            .With("Security:Https:Redirect", "true")
            .With("https_port", "443");
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(factory.StartOnRealPort()) };

        using var response = await client.GetAsync("/account/login");

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal("https", response.Headers.Location!.Scheme);
    }

    private PortalFactory BehindProxy(string proxy) =>
        new PortalFactory(_folder.File("lockbox.db"), realPort: true)
            .With("Security:ForwardedHeaders:KnownProxies:0", proxy)
            .With("Security:Https:Hsts", "true");

    /// <summary>What a TLS-terminating proxy adds: the client's address and that the client spoke HTTPS.</summary>
    private static HttpRequestMessage ThroughProxy(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        return request;
    }

    private static async Task<HttpResponseMessage> PostLoginAsync(HttpClient client, HttpResponseMessage page, string antiforgery)
    {
        var token = WebUtility.HtmlDecode(AntiforgeryToken().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value);
        var request = ThroughProxy(HttpMethod.Post, "/account/login");
        request.Headers.Add("Cookie", antiforgery.Split(';')[0]);
        request.Content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["_handler"] = "login",
            ["Input.Email"] = "engineer@fabrikam.test",
            ["Input.Password"] = PortalFactory.DemoPassword,
        });
        return await client.SendAsync(request);
    }

    private static void AssertFlags(string cookie, string sameSite)
    {
        var flags = Flags(cookie);
        Assert.True(flags.Contains("secure") && flags.Contains("httponly") && flags.Contains(sameSite), cookie.Split('=')[0] + ": " + string.Join("; ", flags));
        Assert.Contains("secure", flags);
        Assert.Contains("httponly", flags);
        Assert.Contains(sameSite, flags);
    }

    private static string[] Flags(string cookie) => cookie.Split(';').Skip(1).Select(f => f.Trim().ToLowerInvariant()).ToArray();

    private static IEnumerable<string> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [];

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : "";

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}

/// <summary>Finding 9: the keys at rest, and the certificate the portal needs to start outside Development.</summary>
public sealed class PortalCertificateTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task OutsideDevelopment_WithoutACertificate_RefusesToStart_AndSaysHowToMakeOne()
    {
        await using var factory = new PortalFactory(_folder.File("lockbox.db"), "Production").With(LockboxPortal.Common.PortalCertificate.PathKey, null);

        var refused = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var message = string.Join(" | ", Messages(refused));
        Assert.Contains("openssl req -x509 -newkey rsa:3072", message, StringComparison.Ordinal);
        Assert.Contains("Security:Certificate:Path", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheOpensslCommandInTheMessage_MakesACertificateThePortalStartsWith()
    {
        var command = LockboxPortal.Common.PortalCertificate.OpensslCommand.Replace("CHOOSE-A-PASSWORD", "a-test-password", StringComparison.Ordinal);
        using (var openssl = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/sh", ["-c", command]) { WorkingDirectory = _folder.Path })!)
        {
            await openssl.WaitForExitAsync();
            Assert.Equal(0, openssl.ExitCode);
        }

        await using var factory = new PortalFactory(_folder.File("lockbox.db"), "Production")
            .With(LockboxPortal.Common.PortalCertificate.PathKey, _folder.File("lockbox.pfx"))
            .With(LockboxPortal.Common.PortalCertificate.PasswordKey, "a-test-password");
        using var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task DataProtectionKeys_AreEncryptedAtRest_AndInDevelopmentACertificateIsMadeBesideTheData()
    {
        // Beside the data means beside the SQLite file: on this test the database is always that file.
        await using (var factory = new PortalFactory(_folder.File("lockbox.db"), sqliteOnly: true))
        {
            using var client = factory.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/account/login")).StatusCode);
        }

        Assert.True(File.Exists(_folder.File(LockboxPortal.Common.PortalCertificate.DevelopmentFileName)));
        var keyFile = Assert.Single(Directory.GetFiles(_folder.File("keys"), "*.xml"));
        var xml = await File.ReadAllTextAsync(keyFile);
        Assert.Contains("<encryptedSecret", xml, StringComparison.Ordinal);
        Assert.Contains("EncryptedXmlDecryptor", xml, StringComparison.Ordinal);
        Assert.DoesNotContain("unencrypted form", xml, StringComparison.Ordinal);
        Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
    }

    private static IEnumerable<string> Messages(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            yield return exception.Message;
        }
    }
}
