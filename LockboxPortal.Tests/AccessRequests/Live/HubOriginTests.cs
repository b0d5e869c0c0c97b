using System.Net;
using System.Net.WebSockets;
using LockboxPortal.Features.AccessRequests.Live;
using LockboxPortal.Tests.Hosting;
using LockboxPortal.Tests.Infrastructure;

namespace LockboxPortal.Tests.AccessRequests.Live;

/// <summary>
/// Finding 8: the hub accepted WebSocket upgrades from any Origin, so another site's page could listen with the
/// signed-in person's cookie. Against the real app on a real port, with a real sign-in cookie.
/// </summary>
public sealed class HubOriginTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private PortalFactory _factory = default!;
    private string _baseUrl = "";
    private CookieContainer _cookies = new();

    public async Task InitializeAsync()
    {
        _factory = new PortalFactory(_folder.File("lockbox.db"), realPort: true);
        _baseUrl = _factory.StartOnRealPort();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = _cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(_baseUrl) };
        // Northwind does not require two-factor, so a password alone is a full sign-in.
        var response = await SignInTests.PostLoginAsync(http, "approver@northwind.test", PortalFactory.DemoPassword);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.DoesNotContain("login-2fa", response.Headers.Location?.OriginalString ?? "", StringComparison.OrdinalIgnoreCase);
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        _folder.Dispose();
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("http://localhost.evil.example")]
    [InlineData("null")]
    public async Task WebSocketUpgrade_FromAForeignOrigin_IsRefused(string origin)
    {
        using var socket = Socket(origin);

        var refused = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(HubAddress(), CancellationToken.None));

        Assert.Equal(HttpStatusCode.Forbidden, socket.HttpStatusCode);
        Assert.NotNull(refused);
    }

    [Fact]
    public async Task WebSocketUpgrade_FromThePortalsOwnOrigin_IsAccepted()
    {
        using var socket = Socket(_baseUrl.TrimEnd('/'));

        await socket.ConnectAsync(HubAddress(), CancellationToken.None);

        Assert.Equal(WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task Negotiate_FromAForeignOrigin_IsRefused()
    {
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = _cookies }) { BaseAddress = new Uri(_baseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Post, LockboxHub.Path + "/negotiate?negotiateVersion=1");
        request.Headers.Add("Origin", "https://evil.example");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    private ClientWebSocket Socket(string origin)
    {
        var socket = new ClientWebSocket();
        socket.Options.Cookies = _cookies;
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Origin", origin);
        return socket;
    }

    private Uri HubAddress() => new(_baseUrl.Replace("http://", "ws://", StringComparison.Ordinal).TrimEnd('/') + LockboxHub.Path);
}
