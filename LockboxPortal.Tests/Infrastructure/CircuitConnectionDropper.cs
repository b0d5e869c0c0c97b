using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace LockboxPortal.Tests.Infrastructure;

/// <summary>
/// Test-only middleware in front of Blazor's circuit endpoint: it can drop every open circuit connection from
/// the server side (as a proxy or a network failure would) and refuse reconnections until told to allow them.
/// </summary>
public sealed class CircuitConnectionDropper : IStartupFilter
{
    private readonly ConcurrentDictionary<HttpContext, byte> _open = new();
    private volatile bool _refusing;

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            if (!context.Request.Path.StartsWithSegments("/_blazor"))
            {
                await nextMiddleware(context);
                return;
            }

            if (_refusing)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }

            _open[context] = 0;
            try
            {
                await nextMiddleware(context);
            }
            finally
            {
                _open.TryRemove(context, out _);
            }
        });
        next(app);
    };

    /// <summary>Aborts every open circuit connection and refuses new ones; returns how many were dropped.</summary>
    public int DropAllAndRefuse()
    {
        _refusing = true;
        var dropped = 0;
        foreach (var context in _open.Keys)
        {
            context.Abort();
            dropped++;
        }

        return dropped;
    }

    public void AllowReconnection() => _refusing = false;
}
