using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace LockboxPortal.Tests.Infrastructure;

/// <summary>
/// A real SMTP server (the SmtpServer package) in this process on a local port, keeping every message it accepts.
/// It can be created before it listens, so a test can send while "the mail server is down" and start it later.
/// </summary>
public sealed class TestSmtpServer : IAsyncDisposable
{
    private readonly Store _store = new();
    private CancellationTokenSource? _running;
    private SmtpServer.SmtpServer? _server;
    private Task? _listening;

    private TestSmtpServer(int port)
    {
        Port = port;
    }

    public int Port { get; }

    /// <summary>Every accepted message with the envelope recipients it was delivered to, in order of arrival.</summary>
    public IReadOnlyList<Received> Messages => _store.Messages.ToList();

    /// <summary>Waits until at least <paramref name="count"/> messages have arrived (a condition, with a generous bound for a loaded machine).</summary>
    public async Task WaitForAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (_store.Messages.Count < count)
        {
            var arrived = _store.Arrived;
            if (_store.Messages.Count >= count)
            {
                return;
            }

            await arrived.WaitAsync(deadline - DateTime.UtcNow);
        }
    }

    /// <summary>A server on a free local port; listening unless <paramref name="listening"/> is false.</summary>
    public static async Task<TestSmtpServer> CreateAsync(bool listening = true)
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var server = new TestSmtpServer(port);
        if (listening)
        {
            await server.StartAsync();
        }

        return server;
    }

    public async Task StartAsync()
    {
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(_store);
        _running = new CancellationTokenSource();
        _server = new SmtpServer.SmtpServer(options, services);
        _listening = _server.StartAsync(_running.Token);

        // Listening once a client can connect.
        for (var tries = 0; ; tries++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (tries < 200)
            {
                await Task.Yield();
            }
        }
    }

    public async Task StopAsync()
    {
        if (_server is null)
        {
            return;
        }

        _server.Shutdown();
        await _running!.CancelAsync();
        try
        {
            await _listening!;
        }
        catch (OperationCanceledException)
        {
        }

        _server = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _running?.Dispose();
    }

    public sealed record Received(IReadOnlyList<string> Recipients, MimeMessage Message)
    {
        public string To => Assert.Single(Recipients);

        public string Text => Message.TextBody ?? "";

        public string Html => Message.HtmlBody ?? "";
    }

    private sealed class Store : MessageStore
    {
        private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<Received> Messages { get; } = new();

        /// <summary>Completes when the next message arrives.</summary>
        public Task Arrived => Volatile.Read(ref _arrived).Task;

        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            Messages.Enqueue(new Received(transaction.To.Select(m => $"{m.User}@{m.Host}").ToList(), message));
            Interlocked.Exchange(ref _arrived, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            return SmtpResponse.Ok;
        }
    }
}
