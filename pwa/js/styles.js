// Stylesheets of screen groups a first visit does not need (/css/<name>.css), added once when such a
// screen opens; the CSP allows same-origin style sheets only.

const loading = new Map();

/** Add /css/<name>.css to the page once; resolves when it has loaded (or failed: the screen still works). */
export function loadStyles(name) {
  if (!loading.has(name)) {
    loading.set(name, new Promise((resolve) => {
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = `/css/${name}.css`;
      link.onload = () => resolve();
      link.onerror = () => resolve();
      document.head.append(link);
    }));
  }
  return loading.get(name);
}
