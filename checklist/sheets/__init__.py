"""Files handed out: xlsx workbooks (openpyxl) and the printed QR label sheet."""
