using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests.Live;
using LockboxPortal.Tests.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.AccessRequests.Live;

/// <summary>A hub client signed in as a demo person through the real sign-in form, recording what it hears.</summary>
internal sealed class LiveHubClient : IAsyncDisposable
{
    private readonly ConcurrentQueue<RequestChangedMessage> _received = new();
    private readonly List<(Func<RequestChangedMessage, bool> Match, TaskCompletionSource<RequestChangedMessage> Done)> _waits = [];
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LiveHubClient(HubConnection connection)
    {
        Connection = connection;
        connection.Closed += _ =>
        {
            _closed.TrySetResult();
            return Task.CompletedTask;
        };
        connection.On<RequestChangedMessage>(RequestChangedMessage.Method, message =>
        {
            _received.Enqueue(message);
            lock (_lock)
            {
                foreach (var wait in _waits.Where(w => w.Match(message)))
                {
                    wait.Done.TrySetResult(message);
                }
            }
        });
    }

    public HubConnection Connection { get; }

    public IReadOnlyList<RequestChangedMessage> Received => _received.ToList();

    /// <summary>Completes when the server closes the connection (this client never reconnects by itself).</summary>
    public Task ClosedAsync() => _closed.Task.WaitAsync(TimeSpan.FromSeconds(10));

    public static async Task<LiveHubClient> ConnectAsync(string baseUrl, string email) =>
        await ConnectAsync(baseUrl, await SignInAsync(baseUrl, email));

    /// <summary>A hub connection with the cookies of a session already signed in.</summary>
    public static async Task<LiveHubClient> ConnectAsync(string baseUrl, CookieContainer cookies)
    {
        var client = new LiveHubClient(Connect(baseUrl, cookies));
        await client.Connection.StartAsync();
        return client;
    }

    /// <summary>Signs in through the real form; the session's cookies.</summary>
    public static async Task<CookieContainer> SignInAsync(string baseUrl, string email)
    {
        var cookies = new CookieContainer();
        using (var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(baseUrl) })
        {
            var response = await SignInTests.SignInAsync(http, email);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }

        return cookies;
    }

    public static HubConnection Connect(string baseUrl, CookieContainer? cookies) =>
        new HubConnectionBuilder()
            .WithUrl(baseUrl + LockboxHub.Path, options => options.Cookies = cookies ?? new CookieContainer())
            .Build();

    public Task<RequestChangedMessage> WaitForAsync(Func<RequestChangedMessage, bool> match)
    {
        var done = new TaskCompletionSource<RequestChangedMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_received.FirstOrDefault(match) is { } already)
            {
                return Task.FromResult(already);
            }

            _waits.Add((match, done));
        }

        return done.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();

    /// <summary>The principal the app builds for a demo person, as far as the services look at it.</summary>
    public static async Task<ClaimsPrincipal> PrincipalOfAsync(PortalFactory factory, string email)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContextAsync();
        var id = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
        return new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, id)], "Test"));
    }
}
