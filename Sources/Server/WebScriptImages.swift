/// The page's picture attachment: file picker (on a phone it offers the camera), drag and drop
/// onto the composer, paste. Large photos are shrunk in a canvas before sending, so they fit the
/// server's body limit and OCR reads them faster.
enum WebScriptImages {
    static let source = #"""

// Longest side and size of a picture as sent; larger ones are redrawn as JPEG.
const IMAGE_MAX_SIDE = 1600;
const IMAGE_MAX_BYTES = 2 * 1024 * 1024;

function setAttachment(dataURL) {
  state.image = dataURL;
  const preview = $('#attachment');
  preview.hidden = !dataURL;
  $('#attachment-image').src = dataURL || '';
}

async function attachFile(file) {
  if (!file) return;
  if (!file.type.startsWith('image/')) { showError('Only pictures can be attached (JPEG, PNG or WebP).'); return; }
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, IMAGE_MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    if (scale === 1 && file.size <= IMAGE_MAX_BYTES && /^image\/(jpeg|png|webp)$/.test(file.type)) {
      setAttachment(await readDataURL(file));
    } else {
      const canvas = document.createElement('canvas');
      canvas.width = Math.round(bitmap.width * scale); canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      setAttachment(canvas.toDataURL('image/jpeg', 0.88));
    }
  } catch (error) { showError('That picture cannot be read: ' + error.message); }
}

function readDataURL(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

document.addEventListener('DOMContentLoaded', () => {
  $('#attach-input').addEventListener('change', (event) => { attachFile(event.target.files[0]); event.target.value = ''; });
  $('#remove-attachment').addEventListener('click', () => setAttachment(null));
  $('#attach').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); $('#attach-input').click(); }
  });
  const composer = $('#composer');
  composer.addEventListener('dragover', (event) => { event.preventDefault(); composer.classList.add('dropping'); });
  composer.addEventListener('dragleave', () => composer.classList.remove('dropping'));
  composer.addEventListener('drop', (event) => {
    event.preventDefault(); composer.classList.remove('dropping');
    attachFile(event.dataTransfer.files[0]);
  });
  $('#input').addEventListener('paste', (event) => {
    const item = [...event.clipboardData.items].find((i) => i.kind === 'file' && i.type.startsWith('image/'));
    if (item) { event.preventDefault(); attachFile(item.getAsFile()); }
  });
});
"""#
}
