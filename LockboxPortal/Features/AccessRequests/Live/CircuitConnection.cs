using System.Collections.Immutable;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace LockboxPortal.Features.AccessRequests.Live;

/// <summary>
/// Tells the components of one circuit that its browser connection came back after a drop. Events published
/// while the connection was down may have been missed (or came from another node), so live components
/// re-read their data instead of trusting what they showed before.
/// </summary>
public sealed class CircuitConnection : CircuitHandler
{
    private ImmutableArray<Func<Task>> _listeners = [];
    private int _connections;

    /// <summary>Calls <paramref name="onReconnected"/> after every reconnection until the result is disposed.</summary>
    public IDisposable OnReconnected(Func<Task> onReconnected)
    {
        ImmutableInterlocked.Update(ref _listeners, list => list.Add(onReconnected));
        return new Listener(this, onReconnected);
    }

    public override async Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        // The first connection is the page starting; components read their data then anyway.
        if (Interlocked.Increment(ref _connections) == 1)
        {
            return;
        }

        foreach (var listener in _listeners)
        {
            await listener();
        }
    }

    private sealed class Listener(CircuitConnection owner, Func<Task> callback) : IDisposable
    {
        public void Dispose() => ImmutableInterlocked.Update(ref owner._listeners, list => list.Remove(callback));
    }
}
