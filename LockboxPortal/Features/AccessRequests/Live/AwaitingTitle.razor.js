// Keeps "(n) " in front of document.title; Blazor's <PageTitle> may replace the title at any time.
let count = 0;
let observer = null;

function apply() {
    const base = document.title.replace(/^\(\d+\) /, "");
    const wanted = count > 0 ? `(${count}) ${base}` : base;
    if (document.title !== wanted) {
        document.title = wanted;
    }
}

export function setCount(value) {
    count = value;
    if (observer === null) {
        observer = new MutationObserver(apply);
        observer.observe(document.head, { childList: true, subtree: true, characterData: true });
    }
    apply();
}
